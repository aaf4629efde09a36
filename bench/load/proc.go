package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
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
