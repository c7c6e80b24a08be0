package devnet

import (
	"os/exec"
	"syscall"
)

// detach puts the child in its own process group and asks the kernel to kill
// it if we die, so a crashed server leaves no stray btcd behind.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
