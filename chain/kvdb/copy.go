package kvdb

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// copyMagic starts every Copy stream; the last byte is the format version.
const copyMagic = "lnwasmkv\x01"

// writeCopy streams the records of root: copyMagic, then for each record
// uvarint(len(key)) key uvarint(len(value)) value, then a single 0 byte (an
// empty key, which no record has) so truncation is detectable.
func writeCopy(w io.Writer, root *bucketState) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(copyMagic); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	var lenBuf [binary.MaxVarintLen64]byte
	writeField := func(b []byte) error {
		n := binary.PutUvarint(lenBuf[:], uint64(len(b)))
		if _, err := bw.Write(lenBuf[:n]); err != nil {
			return err
		}
		_, err := bw.Write(b)
		return err
	}
	err := walkRecords(root, nil, func(r Record) error {
		if err := writeField(r.Key); err != nil {
			return err
		}
		return writeField(r.Value)
	})
	if err != nil {
		return fmt.Errorf("write record: %w", err)
	}
	if err := bw.WriteByte(0); err != nil {
		return fmt.Errorf("write trailer: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

// ReadCopy decodes a stream written by DB.Copy into journal records, e.g. to
// seed a MemJournal or restore a backup into browser storage. Malformed or
// truncated input gives an error wrapping ErrCorrupt; the records themselves
// are validated when the journal is opened.
func ReadCopy(r io.Reader) ([]Record, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, len(copyMagic))
	if _, err := io.ReadFull(br, magic); err != nil {
		return nil, fmt.Errorf("%w: copy header: %v", ErrCorrupt, err)
	}
	if string(magic) != copyMagic {
		return nil, fmt.Errorf("%w: not a kvdb copy (header %q)",
			ErrCorrupt, magic)
	}
	var recs []Record
	for {
		key, err := readField(br)
		if err != nil {
			return nil, fmt.Errorf("%w: record %d key: %v",
				ErrCorrupt, len(recs), err)
		}
		if len(key) == 0 {
			return recs, nil
		}
		value, err := readField(br)
		if err != nil {
			return nil, fmt.Errorf("%w: record %d value: %v",
				ErrCorrupt, len(recs), err)
		}
		recs = append(recs, Record{Key: key, Value: value})
	}
}

// readField reads one uvarint-length-prefixed byte string.
func readField(br *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return nil, err
	}
	if n > maxValueSize {
		return nil, errors.New("length exceeds maximum value size")
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(br, b); err != nil {
		return nil, err
	}
	return b, nil
}
