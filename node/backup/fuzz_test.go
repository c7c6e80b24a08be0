package backup

import (
	"errors"
	"testing"
)

// FuzzDecrypt: a backup file is input from anywhere; whatever it holds,
// Decrypt returns a valid File or one of the package's errors, never a
// panic.
func FuzzDecrypt(f *testing.F) {
	good := encrypted(f)
	f.Add(good, "correct horse")
	f.Add(good, "wrong")
	f.Add(good[:headerLen+10], "correct horse")
	f.Add(append(header(2), good[headerLen:]...), "correct horse")
	f.Add([]byte(Magic), "")
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, data []byte, pw string) {
		// Costly scrypt parameters (still under the cap) would make the
		// fuzzer crawl, not find bugs.
		if len(data) > headerLen+3 && (data[headerLen+1] > 12 || data[headerLen+2] > 8) {
			return
		}
		file, err := Decrypt(data, pw)
		if err == nil {
			if verr := file.Validate(); verr != nil {
				t.Fatalf("Decrypt returned an invalid file: %v", verr)
			}
			return
		}
		for _, known := range []error{ErrNotBackup, ErrVersion, ErrWrongPassword, ErrCorrupt} {
			if errors.Is(err, known) {
				return
			}
		}
		t.Fatalf("unnamed error: %v", err)
	})
}
