//go:build unix && !linux

package localaws

import "syscall"

func setParentDeathSignal(*syscall.SysProcAttr) {}
