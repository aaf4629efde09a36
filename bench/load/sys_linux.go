package main

import "syscall"

// childAttr makes a server child die with the load tool, even when the
// tool is killed before it can stop its children. (Linux sends the signal
// when the thread that started the child ends; Go ends a thread only when a
// goroutine locked to it exits.)
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
