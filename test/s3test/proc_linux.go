package s3test

import "syscall"

// childProcAttr makes the kernel kill MinIO if the test process dies first
// (strictly: when the OS thread that started it exits, which the Go runtime
// does only for goroutines that exit while locked to their thread).
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
