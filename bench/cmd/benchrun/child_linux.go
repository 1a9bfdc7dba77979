package main

import "syscall"

// childAttr makes the kernel kill a child when the orchestrator dies, so an
// interrupted run leaves no server holding a port.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
