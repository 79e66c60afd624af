//go:build linux

package localaws

import "syscall"

// setParentDeathSignal makes the kernel kill an instance if the server dies
// without cleaning up (e.g. appsctl is killed with SIGKILL).
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
