package lnwire

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
)

// The put helpers append big-endian integers. Writes to a bytes.Buffer
// cannot fail, so they return nothing; only putVarBytes, whose length must
// fit its u16 prefix, can refuse.

func putU16(w *bytes.Buffer, v uint16) {
	w.Write(binary.BigEndian.AppendUint16(nil, v))
}

func putU32(w *bytes.Buffer, v uint32) {
	w.Write(binary.BigEndian.AppendUint32(nil, v))
}

func putU64(w *bytes.Buffer, v uint64) {
	w.Write(binary.BigEndian.AppendUint64(nil, v))
}

// putVarBytes writes the `u16:len` + `len*byte` pattern, refusing a value
// whose length a u16 cannot carry rather than truncating it.
func putVarBytes(w *bytes.Buffer, field string, b []byte) error {
	if len(b) > math.MaxUint16 {
		return &FieldError{Field: field, Err: fmt.Errorf("%d bytes do not fit a u16 length", len(b))}
	}
	putU16(w, uint16(len(b)))
	w.Write(b)
	return nil
}
