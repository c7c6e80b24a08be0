package pay

import "errors"

// Errors a caller can act on; each wraps into a message that says more.
var (
	ErrInvoiceExpired      = errors.New("invoice expired")
	ErrAmount              = errors.New("invalid amount")
	ErrInsufficientBalance = errors.New("insufficient balance in channels")
	ErrNoRoute             = errors.New("no route to the destination")
	ErrFailed              = errors.New("payment failed")
	ErrSelfPayment         = errors.New("cannot pay our own invoice")
	ErrTimeout             = errors.New("payment timed out")
	// ErrNotStored: the outcome could not be stored, so the payment stays
	// in flight (as stored) and resumes when the node restarts.
	ErrNotStored = errors.New("payment outcome not stored; it resumes when the node restarts")
)
