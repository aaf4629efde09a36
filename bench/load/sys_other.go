//go:build !linux

package main

import (
	"errors"
	"syscall"
)

func runPinned([]int, func() error) error { return errors.New("CPU pinning needs Linux") }

func childAttr() *syscall.SysProcAttr { return nil }
