//go:build unix

package localaws

import (
	"errors"
	"os"
	"syscall"
)

// sysProcAttr puts an instance in its own process group so that a kill also
// stops the processes it started.
func sysProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(attr)
	return attr
}

// killProcessGroup sends SIGKILL to p's process group (and to p, should it
// have left the group).
func killProcessGroup(p *os.Process) {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	_ = p.Kill()
}

// isTextFileBusy reports ETXTBSY: exec of a just-written binary whose write
// descriptor a concurrently forked process still holds (golang/go#22315).
func isTextFileBusy(err error) bool {
	return errors.Is(err, syscall.ETXTBSY)
}
