//go:build !unix

package localaws

import (
	"os"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr { return nil }

func killProcessGroup(p *os.Process) { _ = p.Kill() }

func isTextFileBusy(error) bool { return false }
