//go:build js && wasm

package main

import (
	"fmt"
	"testing"

	"lnwasm/node"
	"lnwasm/node/backup"
	"lnwasm/node/keys"
)

// TestBackupErrorCodes: the page tells a wrong password, a file that is
// not a backup and a backup of a newer format apart by code.
func TestBackupErrorCodes(t *testing.T) {
	for _, c := range []struct {
		err  error
		code string
	}{
		{backup.ErrWrongPassword, codeWrongPassword},
		{keys.ErrWrongPassword, codeWrongPassword},
		{backup.ErrNotBackup, codeInvalidBackup},
		{backup.ErrCorrupt, codeInvalidBackup},
		{backup.ErrVersion, codeBackupVersion},
		{node.ErrBackupNetwork, codeWrongNetwork},
	} {
		if got := errorCode(fmt.Errorf("restore wallet: %w", c.err)); got != c.code {
			t.Errorf("%v: code %s, want %s", c.err, got, c.code)
		}
	}
}
