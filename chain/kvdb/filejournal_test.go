//go:build !js

package kvdb

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestFileJournalPersists: commits survive a reopen, deletes stay deleted,
// a torn last frame is dropped, and compaction keeps the live records.
func TestFileJournalPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.journal")
	j, err := OpenFileJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Commit([]Record{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b"), Value: []byte("2")}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := j.Commit([]Record{{Key: []byte("a"), Value: []byte("3")}}, [][]byte{[]byte("b")}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	// A crash in the middle of a write leaves a partial frame.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	f.Write([]byte{0, 0, 0, 40, 1, 2, 3})
	f.Close()
	j, err = OpenFileJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := j.Load()
	if len(recs) != 1 || string(recs[0].Key) != "a" || string(recs[0].Value) != "3" {
		t.Fatalf("after reopen: %v", recs)
	}
	big := bytes.Repeat([]byte{7}, 64<<10)
	for i := 0; i < 40; i++ {
		if err := j.Commit([]Record{{Key: []byte("big"), Value: big}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := os.Stat(path); st.Size() > 2<<20 {
		t.Fatalf("journal is %d bytes: never compacted", st.Size())
	}
	if err := j.Commit([]Record{{Key: []byte("c"), Value: []byte("4")}}, nil); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j, _ = OpenFileJournal(path)
	defer j.Close()
	recs, _ = j.Load()
	if got := fmt.Sprint(len(recs)); got != "3" || !bytes.Equal(recs[1].Value, big) {
		t.Fatalf("after compaction and reopen: %d records", len(recs))
	}
}
