//go:build !linux

package devnet

import "os/exec"

// detach is a no-op where the kernel offers no parent-death signal.
func detach(*exec.Cmd) {}
