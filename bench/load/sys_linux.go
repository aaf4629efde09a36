package main

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// runPinned calls f on an OS thread allowed to run only on cpus, then
// gives the thread its former affinity back. A process f starts inherits
// the mask from its first instruction: every thread its Go runtime creates
// runs on cpus, and the runtime sizes GOMAXPROCS to them.
func runPinned(cpus []int, f func() error) error {
	var want, old unix.CPUSet
	for _, c := range cpus {
		want.Set(c)
	}
	runtime.LockOSThread()
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("read CPU affinity: %w", err)
	}
	err := pinThread(&want)
	if err == nil {
		err = f()
	}
	if rerr := unix.SchedSetaffinity(0, &old); rerr != nil {
		// The thread stays locked to this goroutine, so that no other
		// goroutine runs on the CPUs meant for f's process.
		return errors.Join(err, fmt.Errorf("restore CPU affinity: %w", rerr))
	}
	runtime.UnlockOSThread()
	return err
}

// pinThread sets the calling thread's affinity to want and checks that the
// kernel kept all of it (it silently drops CPUs outside the cgroup's set).
func pinThread(want *unix.CPUSet) error {
	if err := unix.SchedSetaffinity(0, want); err != nil {
		return fmt.Errorf("set CPU affinity: %w", err)
	}
	var got unix.CPUSet
	if err := unix.SchedGetaffinity(0, &got); err != nil {
		return fmt.Errorf("read CPU affinity: %w", err)
	}
	if got != *want {
		return errors.New("not all of the CPUs asked for are available")
	}
	return nil
}

// childAttr makes a server child die with the load tool, even when the
// tool is killed before it can stop its children. (Linux sends the signal
// when the thread that started the child ends; Go ends a thread only when a
// goroutine locked to it exits, and runPinned unlocks its thread.)
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
