//go:build js && wasm

package main

import (
	"errors"

	"lnwasm/bridge"
	"lnwasm/chain/kvdb"
	"lnwasm/node"
	"lnwasm/node/backup"
	"lnwasm/node/channel"
	"lnwasm/node/invoice"
	"lnwasm/node/keys"
	"lnwasm/node/lnwire"
	"lnwasm/node/noise"
	"lnwasm/node/pay"
	"lnwasm/node/peer"
	"lnwasm/node/wallet"
)

// The stable error codes of DESIGN.md's JS API that this engine can raise.
const (
	codeInvalidArgument = "INVALID_ARGUMENT"
	codeUnknownMethod   = "UNKNOWN_METHOD"
	codeNotStarted      = "NOT_STARTED"
	codeAlreadyStarted  = "ALREADY_STARTED"
	codeBridgeRefused   = "BRIDGE_REFUSED"
	codePeerUnreachable = "PEER_UNREACHABLE"
	codeStorage         = "STORAGE_FAILED"
	codeInternal        = "INTERNAL"
	codeWalletExists    = "WALLET_EXISTS"
	codeNoWallet        = "NO_WALLET"
	codeWalletLocked    = "WALLET_LOCKED"
	codeWrongPassword   = "WRONG_PASSWORD"
	codeWeakPassword    = "WEAK_PASSWORD"
	codeInvalidMnemonic = "INVALID_MNEMONIC"
	codeInvalidPubkey   = "INVALID_PUBKEY"
	codeInvalidHost     = "INVALID_HOST"
	codeHandshake       = "HANDSHAKE_FAILED"
	codeFeatures        = "FEATURES_INCOMPATIBLE"
	codeWrongChain      = "WRONG_CHAIN"
	codePeerProtocol    = "PEER_PROTOCOL"
	codeInvalidAddress  = "INVALID_ADDRESS"
	codeWrongNetwork    = "WRONG_NETWORK"
	codeDust            = "DUST_AMOUNT"
	codeInsufficient    = "INSUFFICIENT_BALANCE"
	codeInvalidBackup   = "INVALID_BACKUP"
	codeBackupVersion   = "UNSUPPORTED_BACKUP_VERSION"
)

// sentinelCodes maps the node's errors to their codes.
var sentinelCodes = []struct {
	err  error
	code string
}{
	{node.ErrWalletExists, codeWalletExists},
	{node.ErrNoWallet, codeNoWallet},
	{node.ErrWalletLocked, codeWalletLocked},
	{node.ErrWeakPassword, codeWeakPassword},
	{keys.ErrWrongPassword, codeWrongPassword},
	{backup.ErrWrongPassword, codeWrongPassword},
	{backup.ErrNotBackup, codeInvalidBackup},
	{backup.ErrCorrupt, codeInvalidBackup},
	{backup.ErrVersion, codeBackupVersion},
	{node.ErrBackupNetwork, codeWrongNetwork},
	{keys.ErrInvalidMnemonic, codeInvalidMnemonic},
	{node.ErrInvalidPubkey, codeInvalidPubkey},
	{node.ErrInvalidHost, codeInvalidHost},
	{peer.ErrWrongChain, codeWrongChain},
	{noise.ErrBadFrame, codePeerProtocol},
	{wallet.ErrInvalidAddress, codeInvalidAddress},
	{wallet.ErrWrongNetwork, codeWrongNetwork},
	{wallet.ErrDust, codeDust},
	{wallet.ErrInsufficientBalance, codeInsufficient},
	{node.ErrAddressType, codeInvalidArgument},
	{wallet.ErrCannotBump, "CANNOT_BUMP"},
	{node.ErrPeerNotConnected, "PEER_NOT_CONNECTED"},
	{node.ErrUnknownChannel, "UNKNOWN_CHANNEL"},
	{node.ErrCommitmentType, codeInvalidArgument},
	{channel.ErrUnsafeParams, "CHANNEL_REFUSED"},
	{channel.ErrInsufficientBalance, codeInsufficient},
	{channel.ErrNotActive, "CHANNEL_NOT_ACTIVE"},
	{channel.ErrDataLoss, "STATE_STALE"},
	{channel.ErrNotFunded, "CHANNEL_NOT_ACTIVE"},
	{channel.ErrNoFundsForOpen, codeInsufficient},
	{invoice.ErrWrongNetwork, codeWrongNetwork},
	{invoice.ErrInvalid, "INVALID_INVOICE"},
	{pay.ErrInvoiceExpired, "INVOICE_EXPIRED"},
	{pay.ErrAmount, codeInvalidArgument},
	{pay.ErrSelfPayment, "SELF_PAYMENT"},
	{pay.ErrInsufficientBalance, codeInsufficient},
	{pay.ErrNoRoute, "NO_ROUTE"},
	{pay.ErrTimeout, "PAYMENT_TIMEOUT"},
	{pay.ErrFailed, "PAYMENT_FAILED"},
	{pay.ErrNotStored, codeStorage},
	{kvdb.ErrJournal, codeStorage},
	{node.ErrLocked, codeWalletLocked},
}

// apiError carries a stable code next to the readable message.
type apiError struct {
	code string
	err  error
}

func (e *apiError) Error() string { return e.err.Error() }
func (e *apiError) Unwrap() error { return e.err }

func apiErr(code string, err error) error { return &apiError{code: code, err: err} }

// errorCode picks the code for an error: the one it was given, or one
// derived from a bridge close, or INTERNAL.
func errorCode(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.code
	}
	for _, s := range sentinelCodes {
		if errors.Is(err, s.err) {
			return s.code
		}
	}
	var hs *noise.HandshakeError
	var unknown *lnwire.ErrUnknownRequired
	switch {
	case errors.As(err, &hs):
		return codeHandshake
	case errors.As(err, &unknown):
		return codeFeatures
	case bridge.IsRefused(err):
		return codeBridgeRefused
	case bridge.IsUnreachable(err):
		return codePeerUnreachable
	default:
		return codeInternal
	}
}
