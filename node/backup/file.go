package backup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"lnwasm/node/keys"
)

// Magic opens every backup file.
const Magic = "LNWBACKUP"

// Version is the format version Encrypt writes and Decrypt reads.
const Version = 1

// Limits on what Decrypt accepts, far above any real backup, so that a
// hostile file costs a bounded amount of memory and time.
const (
	// MaxFileSize bounds the whole file.
	MaxFileSize = 4 << 20
	// maxScryptMemory bounds the memory the header's scrypt parameters
	// may ask for (the node's default asks 32 MiB).
	maxScryptMemory = 256 << 20
	maxScryptP      = 4
)

// headerLen is the magic and the version byte.
const headerLen = len(Magic) + 1

// The errors a caller tells apart: the file is not a backup, is a backup
// of a format this node cannot read, does not open with this password, or
// opened but holds something no backup holds.
var (
	ErrNotBackup     = errors.New("not an lnwasm backup file")
	ErrVersion       = errors.New("unsupported backup format version")
	ErrWrongPassword = errors.New("wrong backup password (or the backup file is damaged)")
	ErrCorrupt       = errors.New("the backup file is damaged")
)

// Encrypt validates f and writes it as a backup file sealed under
// password, stretched with params.
func Encrypt(f *File, password string, params keys.ScryptParams) ([]byte, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("encrypt backup: %w", err)
	}
	plain, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encrypt backup: %w", err)
	}
	hdr := header(Version)
	sealed, err := keys.Seal(plain, password, params, hdr)
	if err != nil {
		return nil, fmt.Errorf("encrypt backup: %w", err)
	}
	if len(hdr)+len(sealed) > MaxFileSize {
		return nil, fmt.Errorf("encrypt backup: %d bytes is over the %d a reader accepts", len(hdr)+len(sealed), MaxFileSize)
	}
	return append(hdr, sealed...), nil
}

// Decrypt opens a backup file with password and validates what it holds.
// Whatever data holds, it returns a File or an error that wraps one of
// the package's errors; it never panics.
func Decrypt(data []byte, password string) (*File, error) {
	sealed, err := checkHeader(data)
	if err != nil {
		return nil, err
	}
	p, err := keys.SealedParams(sealed)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if p.MemoryBytes() > maxScryptMemory || p.P > maxScryptP {
		return nil, fmt.Errorf("%w: its key stretching asks for N=2^%d r=%d p=%d, more than a backup needs",
			ErrCorrupt, p.LogN, p.R, p.P)
	}
	plain, err := keys.Open(sealed, password, data[:headerLen])
	if errors.Is(err, keys.ErrWrongPassword) {
		return nil, ErrWrongPassword
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	var f File
	if err := json.Unmarshal(plain, &f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return &f, nil
}

// checkHeader tells a non-backup and an unknown version apart before any
// key stretching, and returns the sealed part.
func checkHeader(data []byte) ([]byte, error) {
	switch {
	case len(data) > MaxFileSize:
		return nil, fmt.Errorf("%w: %d bytes is larger than any backup", ErrNotBackup, len(data))
	case len(data) < headerLen || !bytes.Equal(data[:len(Magic)], []byte(Magic)):
		return nil, fmt.Errorf("%w: it does not start with %q", ErrNotBackup, Magic)
	case data[len(Magic)] != Version:
		return nil, fmt.Errorf("%w %d: this node reads version %d", ErrVersion, data[len(Magic)], Version)
	case len(data) < headerLen+keys.SealOverhead:
		return nil, fmt.Errorf("%w: truncated at %d bytes", ErrCorrupt, len(data))
	}
	return data[headerLen:], nil
}

func header(version byte) []byte { return append([]byte(Magic), version) }
