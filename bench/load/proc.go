package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The load tool reads what it measures of processes from Linux's /proc;
// pid is a process id or "self".

// userHZ is the unit of the CPU times in /proc/PID/stat: 100 ticks a
// second on every architecture Go supports.
const userHZ = 100

// cpuTime is the CPU time, user and system, that process pid has used on
// all its threads, alive or ended: utime+stime of /proc/PID/stat.
func cpuTime(pid string) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	// The fields follow the command name, which is in parentheses and may
	// hold spaces; utime and stime are the 14th and 15th fields, the 12th
	// and 13th after the name.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%s/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%s/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc/%s/stat: %w", pid, err)
	}
	return time.Duration(utime+stime) * time.Second / userHZ, nil
}

// statusField is the value of a "Name:\tvalue" line of a /proc status file.
func statusField(status []byte, name string) (string, bool) {
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// rssKB reads VmRSS of a process from /proc (0 where unavailable).
func rssKB(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	v, _ := statusField(b, "VmRSS")
	n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
	return n
}

// threadCPUs is the CPU list (Cpus_allowed_list) the threads of process
// pid may run on, and how many threads there are; an error if the threads
// do not all share one list.
func threadCPUs(pid string) (list string, threads int, err error) {
	dir := "/proc/" + pid + "/task/"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return "", 0, err
	}
	lists := map[string]int{}
	for _, t := range tasks {
		b, err := os.ReadFile(dir + t.Name() + "/status")
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			continue // the thread has ended
		}
		if err != nil {
			return "", 0, err
		}
		v, ok := statusField(b, "Cpus_allowed_list")
		if !ok {
			return "", 0, fmt.Errorf("%s%s/status: no Cpus_allowed_list", dir, t.Name())
		}
		lists[v]++
		list, threads = v, threads+1
	}
	if len(lists) != 1 {
		return "", 0, fmt.Errorf("the threads of process %s run on different CPUs (CPU list: threads): %v", pid, lists)
	}
	return list, threads, nil
}

// maxCPUs is the size of the kernel's CPU set as Go's syscall wrappers
// pass it.
const maxCPUs = 1024

// parseCPUs reads a CPU list as taskset -c takes it and /proc shows it:
// "1", "0-3", "0,2-3". The result is sorted, without repeats.
func parseCPUs(list string) ([]int, error) {
	var cpus []int
	for part := range strings.SplitSeq(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		first, err := strconv.Atoi(lo)
		last := first
		if err == nil && isRange {
			last, err = strconv.Atoi(hi)
		}
		if err != nil || first < 0 || last < first || last >= maxCPUs {
			return nil, fmt.Errorf("CPU list %q: bad element %q", list, part)
		}
		for c := first; c <= last; c++ {
			cpus = append(cpus, c)
		}
	}
	slices.Sort(cpus)
	return slices.Compact(cpus), nil
}

// placement reports which CPUs the threads of process pid (called name)
// run on, and fails if want is set and they are not exactly those.
func placement(name string, pid, gomaxprocs int, want []int) error {
	list, threads, err := threadCPUs(strconv.Itoa(pid))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Printf("%-24s pid %d, %d threads on CPUs %s, GOMAXPROCS %d\n", name, pid, threads, list, gomaxprocs)
	if got, err := parseCPUs(list); want != nil && (err != nil || !slices.Equal(got, want)) {
		return fmt.Errorf("%s runs on CPUs %s, not those asked for", name, list)
	}
	return nil
}

// pinSelf makes this process run on cpus alone. Affinity belongs to
// threads, and the Go runtime starts several before main runs; rather than
// chase them, pinSelf re-executes the program from a thread already
// pinned, so that the new image's threads all inherit the mask and the
// runtime sizes GOMAXPROCS to it. In the re-executed process it finds
// every thread on cpus and returns at once.
func pinSelf(cpus []int) error {
	if list, _, err := threadCPUs("self"); err == nil {
		if got, err := parseCPUs(list); err == nil && slices.Equal(got, cpus) {
			return nil
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return runPinned(cpus, func() error { return syscall.Exec(exe, os.Args, os.Environ()) })
}
