//go:build !linux

package s3test

import "syscall"

func childProcAttr() *syscall.SysProcAttr { return nil }
