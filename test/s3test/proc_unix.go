//go:build unix

package s3test

import (
	"errors"
	"syscall"
)

var terminateSignal = syscall.SIGTERM

// processAlive reports whether pid still exists (zombies count: the caller
// has reaped its child before asking).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
