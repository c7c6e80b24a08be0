//go:build !js

package kvdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// FileJournal is a Journal in one append-only file, the native
// counterpart of the browser's IndexedDB journal: every Commit appends one
// checksummed frame and fsyncs before returning, so a committed
// transaction survives a crash; a frame torn by a crash is dropped on the
// next Load. When the file grows to several times its live data it is
// rewritten as one frame and atomically renamed over the old one.
type FileJournal struct {
	mu      sync.Mutex
	path    string
	f       *os.File
	live    map[string][]byte
	size    int64
	liveLen int64
}

// frameHeader is a frame's payload length and CRC-32C.
const frameHeader = 8

// compactAt is the file size below which no compaction happens.
const compactAt = 1 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// OpenFileJournal opens (or creates) the journal at path.
func OpenFileJournal(path string) (*FileJournal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("file journal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("file journal: %w", err)
	}
	j := &FileJournal{path: path, f: f, live: map[string][]byte{}}
	if err := j.replay(); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// replay reads every whole frame and truncates a torn tail.
func (j *FileJournal) replay() error {
	raw, err := io.ReadAll(j.f)
	if err != nil {
		return fmt.Errorf("file journal: read: %w", err)
	}
	off := 0
	for off+frameHeader <= len(raw) {
		n := int(binary.BigEndian.Uint32(raw[off:]))
		sum := binary.BigEndian.Uint32(raw[off+4:])
		end := off + frameHeader + n
		if n < 0 || end > len(raw) || crc32.Checksum(raw[off+frameHeader:end], castagnoli) != sum {
			break
		}
		if err := j.apply(raw[off+frameHeader : end]); err != nil {
			return err
		}
		off = end
	}
	if off != len(raw) {
		if err := j.f.Truncate(int64(off)); err != nil {
			return fmt.Errorf("file journal: drop torn frame: %w", err)
		}
	}
	j.size = int64(off)
	_, err = j.f.Seek(int64(off), io.SeekStart)
	return err
}

// apply replays one frame's payload into the live map.
func (j *FileJournal) apply(p []byte) error {
	r := bytes.NewReader(p)
	next := func() ([]byte, error) {
		n, err := binary.ReadUvarint(r)
		if err != nil || n > uint64(r.Len()) {
			return nil, errors.New("file journal: malformed frame")
		}
		b := make([]byte, n)
		_, err = io.ReadFull(r, b)
		return b, err
	}
	for r.Len() > 0 {
		op, _ := r.ReadByte()
		k, err := next()
		if err != nil {
			return err
		}
		switch op {
		case 'd':
			j.forget(string(k))
		case 'p':
			v, err := next()
			if err != nil {
				return err
			}
			j.forget(string(k))
			j.live[string(k)] = v
			j.liveLen += int64(len(k) + len(v))
		default:
			return errors.New("file journal: unknown op")
		}
	}
	return nil
}

func (j *FileJournal) forget(k string) {
	if v, ok := j.live[k]; ok {
		j.liveLen -= int64(len(k) + len(v))
		delete(j.live, k)
	}
}

// Load returns every live record, sorted by key.
func (j *FileJournal) Load() ([]Record, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Record, 0, len(j.live))
	for k, v := range j.live {
		out = append(out, Record{Key: []byte(k), Value: bytes.Clone(v)})
	}
	slices.SortFunc(out, func(a, b Record) int { return bytes.Compare(a.Key, b.Key) })
	return out, nil
}

func appendEntry(p []byte, op byte, k, v []byte) []byte {
	p = append(p, op)
	p = binary.AppendUvarint(p, uint64(len(k)))
	p = append(p, k...)
	if op == 'p' {
		p = binary.AppendUvarint(p, uint64(len(v)))
		p = append(p, v...)
	}
	return p
}

func frame(payload []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(payload)))
	out = binary.BigEndian.AppendUint32(out, crc32.Checksum(payload, castagnoli))
	return append(out, payload...)
}

// Commit appends the change as one frame and fsyncs it.
func (j *FileJournal) Commit(puts []Record, deletes [][]byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var p []byte
	for _, k := range deletes {
		p = appendEntry(p, 'd', k, nil)
	}
	for _, r := range puts {
		p = appendEntry(p, 'p', r.Key, r.Value)
	}
	fr := frame(p)
	if _, err := j.f.Write(fr); err != nil {
		return fmt.Errorf("file journal: write: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("file journal: sync: %w", err)
	}
	j.size += int64(len(fr))
	if err := j.apply(p); err != nil {
		return err
	}
	if j.size > compactAt && j.size > 4*j.liveLen {
		return j.compact()
	}
	return nil
}

// compact rewrites the live records as one frame in a new file and
// renames it over the old: the rename is atomic, so a crash leaves either
// file whole.
func (j *FileJournal) compact() error {
	var p []byte
	for k, v := range j.live {
		p = appendEntry(p, 'p', []byte(k), v)
	}
	tmp := j.path + ".compact"
	if err := os.WriteFile(tmp, frame(p), 0o600); err != nil {
		return fmt.Errorf("file journal: compact: %w", err)
	}
	nf, err := os.OpenFile(tmp, os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("file journal: compact: %w", err)
	}
	if err := nf.Sync(); err != nil {
		nf.Close()
		return fmt.Errorf("file journal: compact: %w", err)
	}
	if err := os.Rename(tmp, j.path); err != nil {
		nf.Close()
		return fmt.Errorf("file journal: compact: %w", err)
	}
	j.f.Close()
	j.f = nf
	size, err := nf.Seek(0, io.SeekEnd)
	j.size = size
	return err
}

// Close closes the file.
func (j *FileJournal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.f.Close()
}
