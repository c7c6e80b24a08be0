package kvdb

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcwallet/walletdb"
)

// writeSample stores nested buckets, sequences and values, including an
// empty value and a bucket and a value with the same name at different
// levels.
func writeSample(t *testing.T, db walletdb.DB) {
	t.Helper()
	update(t, db, func(tx walletdb.ReadWriteTx) error {
		a, err := tx.CreateTopLevelBucket([]byte("a"))
		if err != nil {
			return err
		}
		if err := a.Put([]byte("k"), []byte("v")); err != nil {
			return err
		}
		if err := a.Put([]byte("empty"), nil); err != nil {
			return err
		}
		if err := a.SetSequence(41); err != nil {
			return err
		}
		if _, err := a.NextSequence(); err != nil {
			return err
		}
		b, err := a.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		c, err := b.CreateBucket([]byte("k"))
		if err != nil {
			return err
		}
		if err := c.Put([]byte{0, 1, 2}, []byte{0xff}); err != nil {
			return err
		}
		if _, err := c.NextSequence(); err != nil {
			return err
		}
		_, err = tx.CreateTopLevelBucket([]byte("z"))
		return err
	})
}

// checkSample reads back what writeSample wrote through the public API.
func checkSample(t *testing.T, db walletdb.DB) {
	t.Helper()
	view(t, db, func(tx walletdb.ReadTx) error {
		a := tx.ReadBucket([]byte("a")).(walletdb.ReadWriteBucket)
		if string(a.Get([]byte("k"))) != "v" || a.Sequence() != 42 {
			t.Errorf("bucket a: k=%q seq=%d", a.Get([]byte("k")),
				a.Sequence())
		}
		if v := a.Get([]byte("empty")); v == nil || len(v) != 0 {
			t.Errorf("empty value came back as %#v", v)
		}
		c := a.NestedReadBucket([]byte("b")).NestedReadBucket([]byte("k"))
		if c == nil {
			t.Fatalf("bucket a/b/k missing")
		}
		if !bytes.Equal(c.Get([]byte{0, 1, 2}), []byte{0xff}) ||
			c.(walletdb.ReadWriteBucket).Sequence() != 1 {

			t.Errorf("bucket a/b/k has wrong contents")
		}
		if tx.ReadBucket([]byte("z")) == nil {
			t.Errorf("empty top-level bucket z missing")
		}
		return nil
	})
}

// TestPersistenceRoundTrip reopens a database from its journal records and
// expects the same contents, including nested buckets and sequences.
func TestPersistenceRoundTrip(t *testing.T) {
	db, j := openMem(t)
	writeSample(t, db)
	assertSameAsJournal(t, db, j)

	recs, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	reopened, err := walletdb.Open(DriverName, NewMemJournal(recs...))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer reopened.Close()
	checkSample(t, reopened)
	want := snapshotRecords(t, db)
	got := snapshotRecords(t, reopened.(*DB))
	if len(got) != len(want) {
		t.Fatalf("reopened db has %d records, want %d", len(got),
			len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i].Key, want[i].Key) ||
			!bytes.Equal(got[i].Value, want[i].Value) {

			t.Fatalf("record %d differs after reopen", i)
		}
	}

	// Changes after a reopen keep journal and state in step.
	update(t, reopened, func(tx walletdb.ReadWriteTx) error {
		return tx.ReadWriteBucket([]byte("a")).Put([]byte("k"), []byte("w"))
	})
}

// TestCopyRoundTrip restores a Copy stream and rejects damaged ones.
func TestCopyRoundTrip(t *testing.T) {
	db, _ := openMem(t)
	writeSample(t, db)
	var buf bytes.Buffer
	if err := db.Copy(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := ReadCopy(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	restored, err := Open(NewMemJournal(recs...))
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	checkSample(t, restored)

	truncated := buf.Bytes()[:buf.Len()-1]
	if _, err := ReadCopy(bytes.NewReader(truncated)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated copy: %v", err)
	}
	if _, err := ReadCopy(strings.NewReader("not a copy")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("garbage copy: %v", err)
	}
}

// TestFailingJournalCommit checks that a failed journal write fails the
// transaction with a wrapped error and leaves memory and journal unchanged.
func TestFailingJournalCommit(t *testing.T) {
	db, j := openMem(t)
	writeSample(t, db)
	before := snapshotRecords(t, db)
	stored := j.Len()

	boom := errors.New("disk full")
	j.FailCommits(boom)
	called := false
	err := walletdb.Update(db, func(tx walletdb.ReadWriteTx) error {
		tx.OnCommit(func() { called = true })
		a := tx.ReadWriteBucket([]byte("a"))
		if err := a.Put([]byte("k"), []byte("lost")); err != nil {
			return err
		}
		if _, err := a.NextSequence(); err != nil {
			return err
		}
		return tx.DeleteTopLevelBucket([]byte("z"))
	})
	if !errors.Is(err, boom) {
		t.Fatalf("commit error %v does not wrap %v", err, boom)
	}
	if !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "commit of 2 puts and 1 deletes") {
		t.Errorf("commit error is not ErrJournal with context: %v", err)
	}
	if called {
		t.Errorf("OnCommit ran for a failed commit")
	}
	after := snapshotRecords(t, db)
	if len(after) != len(before) || j.Len() != stored {
		t.Fatalf("failed commit changed state: %d -> %d records",
			len(before), len(after))
	}
	for i := range before {
		if !bytes.Equal(after[i].Key, before[i].Key) ||
			!bytes.Equal(after[i].Value, before[i].Value) {

			t.Fatalf("failed commit changed record %x", before[i].Key)
		}
	}
	checkSample(t, db)

	// The writer lock was released and the db keeps working once
	// storage recovers.
	j.FailCommits(nil)
	update(t, db, func(tx walletdb.ReadWriteTx) error {
		return tx.ReadWriteBucket([]byte("a")).Put([]byte("k"), []byte("ok"))
	})
	assertSameAsJournal(t, db, j)
}

// TestNestedBucketDeletionRemovesRecords checks that deleting a bucket
// deletes the flat records of everything below it.
func TestNestedBucketDeletionRemovesRecords(t *testing.T) {
	db, j := openMem(t)
	writeSample(t, db)
	prefix := appendPath(nil, [][]byte{[]byte("a"), []byte("b")})
	countPrefix := func() int {
		recs, _ := j.Load()
		n := 0
		for _, r := range recs {
			if bytes.HasPrefix(r.Key, prefix) {
				n++
			}
		}
		return n
	}
	// a/b marker, a/b/k marker, a/b/k value.
	if n := countPrefix(); n != 3 {
		t.Fatalf("expected 3 records under a/b, got %d", n)
	}
	update(t, db, func(tx walletdb.ReadWriteTx) error {
		a := tx.ReadWriteBucket([]byte("a"))
		c := a.NestedReadWriteBucket([]byte("b")).NestedReadWriteBucket([]byte("k"))
		// Uncommitted additions below the deleted bucket must not leak.
		if err := c.Put([]byte("new"), []byte("x")); err != nil {
			return err
		}
		return a.DeleteNestedBucket([]byte("b"))
	})
	if n := countPrefix(); n != 0 {
		t.Fatalf("%d records left under deleted bucket a/b", n)
	}
	assertSameAsJournal(t, db, j)

	update(t, db, func(tx walletdb.ReadWriteTx) error {
		return tx.DeleteTopLevelBucket([]byte("a"))
	})
	if n := j.Len(); n != 1 {
		t.Fatalf("only z's marker should remain, journal has %d", n)
	}
}

// TestMinimalDiff checks that no-op changes never reach the journal and that
// real ones are written as exactly one record each.
func TestMinimalDiff(t *testing.T) {
	db, j := openMem(t)
	writeSample(t, db)
	commits := j.Commits()
	update(t, db, func(tx walletdb.ReadWriteTx) error {
		a := tx.ReadWriteBucket([]byte("a"))
		if err := a.Put([]byte("k"), []byte("v")); err != nil {
			return err
		}
		if err := a.Put([]byte("tmp"), []byte("x")); err != nil {
			return err
		}
		if err := a.Delete([]byte("tmp")); err != nil {
			return err
		}
		if _, err := a.CreateBucket([]byte("tmpb")); err != nil {
			return err
		}
		if err := a.DeleteNestedBucket([]byte("tmpb")); err != nil {
			return err
		}
		return a.SetSequence(a.Sequence())
	})
	if j.Commits() != commits {
		t.Fatalf("no-op transaction reached the journal")
	}

	var gotPuts, gotDels int
	spy := &spyJournal{MemJournal: j, onCommit: func(p []Record, d [][]byte) {
		gotPuts, gotDels = len(p), len(d)
	}}
	db2, err := Open(spy)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	update(t, db2, func(tx walletdb.ReadWriteTx) error {
		a := tx.ReadWriteBucket([]byte("a"))
		if err := a.Put([]byte("k"), []byte("v2")); err != nil {
			return err
		}
		return a.Delete([]byte("empty"))
	})
	if gotPuts != 1 || gotDels != 1 {
		t.Fatalf("journal got %d puts, %d deletes, want 1 and 1",
			gotPuts, gotDels)
	}
}

// spyJournal reports what Commit receives.
type spyJournal struct {
	*MemJournal
	onCommit func([]Record, [][]byte)
}

// Commit records the call and forwards it.
func (s *spyJournal) Commit(puts []Record, deletes [][]byte) error {
	s.onCommit(puts, deletes)
	return s.MemJournal.Commit(puts, deletes)
}

// TestLoadRejectsCorruptRecords feeds Open records that break the encoding.
func TestLoadRejectsCorruptRecords(t *testing.T) {
	a := [][]byte{[]byte("a")}
	marker := Record{Key: bucketKey(a), Value: encodeSeq(0)}
	cases := map[string][]Record{
		"value without bucket": {{Key: valueKey(a, []byte("k"))}},
		"nested without parent": {{
			Key:   bucketKey([][]byte{[]byte("a"), []byte("b")}),
			Value: encodeSeq(0),
		}},
		"short sequence":   {{Key: bucketKey(a), Value: []byte{1}}},
		"unknown tag":      {marker, {Key: []byte{0x01, 0x01, 'a', 0x07}}},
		"no tag":           {{Key: []byte{0x01, 0x01, 'a'}}},
		"root value":       {{Key: []byte{tagValue, 'k'}}},
		"empty value key":  {marker, {Key: []byte{0x01, 0x01, 'a', tagValue}}},
		"overlong varint":  {marker, {Key: []byte{0x01, 0x81, 0x00, 'a', 0x00}}},
		"segment too long": {{Key: []byte{0x01, 0x05, 'a', 0x00}}},
		"value and bucket": {
			marker,
			{Key: valueKey(a, []byte("x")), Value: []byte("v")},
			{Key: bucketKey([][]byte{[]byte("a"), []byte("x")}),
				Value: encodeSeq(0)},
		},
	}
	for name, recs := range cases {
		_, err := Open(NewMemJournal(recs...))
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
}

// TestDriverArguments checks the walletdb driver's argument handling.
func TestDriverArguments(t *testing.T) {
	if _, err := walletdb.Create(DriverName); err == nil {
		t.Errorf("Create without arguments succeeded")
	}
	if _, err := walletdb.Create(DriverName, "path"); err == nil {
		t.Errorf("Create with a string argument succeeded")
	}
	db, err := walletdb.Create(DriverName, nil)
	if err != nil {
		t.Fatalf("memory-only Create: %v", err)
	}
	defer db.Close()
	if _, ok := db.(walletdb.BatchDB); !ok {
		t.Errorf("driver db does not implement BatchDB")
	}
	stats := db.(*DB).PrintStats()
	if !strings.Contains(stats, "persistent=false") {
		t.Errorf("PrintStats = %q", stats)
	}
	failing := &failingLoad{}
	if _, err := walletdb.Open(DriverName, failing); err == nil ||
		!strings.Contains(err.Error(), "load journal") {

		t.Errorf("Open with failing Load: %v", err)
	}
}

// failingLoad is a Journal whose Load fails.
type failingLoad struct{ MemJournal }

// Load always fails.
func (*failingLoad) Load() ([]Record, error) {
	return nil, errors.New("indexeddb unavailable")
}
