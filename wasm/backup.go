//go:build js && wasm

package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"lnwasm/node/backup"
)

// exportBackup is lncli exportchanbackup --all with the seed included:
// {password} → {backup: base64 of the encrypted file, channels}. The
// password is the wallet's (WRONG_PASSWORD as unlockWallet says it).
func (e *engine) exportBackup(raw json.RawMessage) (any, error) {
	var p struct {
		Password string `json:"password"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("exportBackup: %w", err))
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	data, count, err := n.ExportBackup(p.Password)
	if err != nil {
		return nil, err
	}
	return map[string]any{"backup": base64.StdEncoding.EncodeToString(data), "channels": count}, nil
}

// restoreParams are createWallet's arguments when it restores a backup.
type restoreParams struct {
	Password       string `json:"password"`
	Mnemonic       string `json:"mnemonic"`
	Backup         string `json:"backup"`
	BackupPassword string `json:"backupPassword"`
}

// restoreWallet is createWallet with a backup: {password, backup,
// backupPassword} → {mnemonic: "", restoredChannels}. The words are in
// the backup; the page already has them.
func (e *engine) restoreWallet(p restoreParams) (any, error) {
	if p.Mnemonic != "" {
		return nil, apiErr(codeInvalidArgument, errors.New("createWallet: give mnemonic or backup, not both"))
	}
	data, err := base64.StdEncoding.DecodeString(p.Backup)
	if err != nil {
		return nil, fmt.Errorf("createWallet: the backup is not base64: %w", backup.ErrNotBackup)
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	count, err := n.RestoreWallet(p.Password, data, p.BackupPassword)
	if err != nil {
		return nil, err
	}
	return map[string]any{"mnemonic": "", "restoredChannels": count}, nil
}
