package kvdb

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/btcsuite/btcwallet/walletdb"
)

// model is a plain reference bucket the database is compared against.
type model struct {
	seq  uint64
	vals map[string]string
	kids map[string]*model
}

// newModel returns an empty reference bucket.
func newModel() *model {
	return &model{vals: map[string]string{}, kids: map[string]*model{}}
}

// clone deep-copies m so old snapshots can be checked later.
func (m *model) clone() *model {
	c := &model{seq: m.seq, vals: map[string]string{},
		kids: map[string]*model{}}
	for k, v := range m.vals {
		c.vals[k] = v
	}
	for k, kid := range m.kids {
		c.kids[k] = kid.clone()
	}
	return c
}

// keys returns all entry names of m in byte order.
func (m *model) keys() []string {
	var ks []string
	for k := range m.vals {
		ks = append(ks, k)
	}
	for k := range m.kids {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// checkBucket compares b with m recursively, including cursor order both
// ways and a Seek.
func checkBucket(t *testing.T, where string, b walletdb.ReadBucket,
	m *model, rng *rand.Rand) {

	t.Helper()
	if where != "" {
		if seq := b.(walletdb.ReadWriteBucket).Sequence(); seq != m.seq {
			t.Fatalf("%s: sequence %d, want %d", where, seq, m.seq)
		}
	}
	keys := m.keys()
	var got []string
	c := b.ReadCursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		got = append(got, string(k))
		want, isVal := m.vals[string(k)]
		if isVal && string(v) != want || !isVal && v != nil {
			t.Fatalf("%s/%s: value %q, want %q", where, k, v, want)
		}
	}
	if !slices.Equal(got, keys) {
		t.Fatalf("%s: keys %q, want %q", where, got, keys)
	}
	got = got[:0]
	for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		got = append(got, string(k))
	}
	slices.Reverse(got)
	if !slices.Equal(got, keys) {
		t.Fatalf("%s: reverse keys %q, want %q", where, got, keys)
	}
	seek := randKey(rng)
	i, _ := slices.BinarySearch(keys, seek)
	k, _ := c.Seek([]byte(seek))
	if (i == len(keys)) != (k == nil) || k != nil && string(k) != keys[i] {
		t.Fatalf("%s: Seek(%q) = %q", where, seek, k)
	}
	for name, kid := range m.kids {
		nb := b.NestedReadBucket([]byte(name))
		if nb == nil {
			t.Fatalf("%s/%s: bucket missing", where, name)
		}
		checkBucket(t, where+"/"+name, nb, kid, rng)
	}
}

// randKey draws from a small alphabet so values and buckets collide.
func randKey(rng *rand.Rand) string {
	const alphabet = "abc\x00\xff"
	n := 1 + rng.Intn(2)
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.Intn(len(alphabet))]
	}
	return string(b)
}

// randomOp applies one random operation to a random bucket of both the
// database and the model, asserting that both agree on the outcome.
func randomOp(t *testing.T, tx walletdb.ReadWriteTx, root *model,
	rng *rand.Rand) {

	t.Helper()
	top := randKey(rng)
	if _, ok := root.kids[top]; !ok || rng.Intn(10) == 0 {
		if rng.Intn(3) == 0 && ok {
			if err := tx.DeleteTopLevelBucket([]byte(top)); err != nil {
				t.Fatalf("delete top %q: %v", top, err)
			}
			delete(root.kids, top)
			return
		}
		if _, err := tx.CreateTopLevelBucket([]byte(top)); err != nil {
			t.Fatalf("create top %q: %v", top, err)
		}
		if !ok {
			root.kids[top] = newModel()
		}
		return
	}
	b, m := tx.ReadWriteBucket([]byte(top)), root.kids[top]
	if b == nil {
		t.Fatalf("top-level bucket %q missing", top)
	}
	for depth := 0; depth < 2 && len(m.kids) > 0 && rng.Intn(2) == 0; depth++ {
		names := slices.Sorted(func(yield func(string) bool) {
			for k := range m.kids {
				if !yield(k) {
					return
				}
			}
		})
		name := names[rng.Intn(len(names))]
		b, m = b.NestedReadWriteBucket([]byte(name)), m.kids[name]
		if b == nil {
			t.Fatalf("nested bucket %q missing", name)
		}
	}
	applyBucketOp(t, b, m, rng)
}

// applyBucketOp performs a put, delete, bucket create/delete, sequence
// change or cursor delete on b and m.
func applyBucketOp(t *testing.T, b walletdb.ReadWriteBucket, m *model,
	rng *rand.Rand) {

	t.Helper()
	k := randKey(rng)
	_, isVal := m.vals[k]
	_, isKid := m.kids[k]
	var err, want error
	switch op := rng.Intn(7); op {
	case 0, 1:
		v := fmt.Sprint(rng.Intn(100))
		err = b.Put([]byte(k), []byte(v))
		if isKid {
			want = walletdb.ErrIncompatibleValue
		} else {
			m.vals[k] = v
		}
	case 2:
		err = b.Delete([]byte(k))
		if isKid {
			want = walletdb.ErrIncompatibleValue
		}
		delete(m.vals, k)
	case 3:
		_, err = b.CreateBucket([]byte(k))
		switch {
		case isKid:
			want = walletdb.ErrBucketExists
		case isVal:
			want = walletdb.ErrIncompatibleValue
		default:
			m.kids[k] = newModel()
		}
	case 4:
		err = b.DeleteNestedBucket([]byte(k))
		switch {
		case isVal:
			want = walletdb.ErrIncompatibleValue
		case !isKid:
			want = walletdb.ErrBucketNotFound
		}
		delete(m.kids, k)
	case 5:
		var seq uint64
		seq, err = b.NextSequence()
		m.seq++
		if seq != m.seq {
			t.Fatalf("NextSequence = %d, want %d", seq, m.seq)
		}
	case 6:
		c := b.ReadWriteCursor()
		ck, cv := c.Seek([]byte(k))
		if ck == nil {
			return
		}
		err = c.Delete()
		if cv == nil {
			want = walletdb.ErrIncompatibleValue
		}
		delete(m.vals, string(ck))
	}
	if err != want {
		t.Fatalf("op on %q: got %v, want %v", k, err, want)
	}
}

// TestRandomAgainstModel runs random transactions, committing or rolling
// back, and checks the database, old snapshots, the journal and a reopened
// copy against the reference model.
func TestRandomAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	db, j := openMem(t)
	committed := newModel()
	type snapshot struct {
		tx walletdb.ReadTx
		m  *model
	}
	var snaps []snapshot
	for round := 0; round < 300; round++ {
		committed = randomTx(t, db, committed, rng)
		if round%20 == 0 {
			rtx, err := db.BeginReadTx()
			if err != nil {
				t.Fatal(err)
			}
			snaps = append(snaps, snapshot{rtx, committed.clone()})
		}
	}
	view(t, db, func(tx walletdb.ReadTx) error {
		checkBucket(t, "", rootOf(tx), committed, rng)
		return nil
	})
	for i, s := range snaps {
		checkBucket(t, fmt.Sprintf("snapshot %d", i),
			rootOf(s.tx), s.m, rng)
		_ = s.tx.Rollback()
	}
	assertSameAsJournal(t, db, j)

	recs, _ := j.Load()
	reopened, err := Open(NewMemJournal(recs...))
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	view(t, reopened, func(tx walletdb.ReadTx) error {
		checkBucket(t, "", rootOf(tx), committed, rng)
		return nil
	})
}

// randomTx runs one random write transaction against db and a copy of
// committed, commits or rolls it back, and returns the new committed model.
// The deferred rollback releases the writer lock if a check fails, so the
// test reports the failure instead of hanging in Close.
func randomTx(t *testing.T, db walletdb.DB, committed *model,
	rng *rand.Rand) *model {

	t.Helper()
	tx, err := db.BeginReadWriteTx()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	work := committed.clone()
	for i := rng.Intn(20); i >= 0; i-- {
		randomOp(t, tx, work, rng)
	}
	checkBucket(t, "", rootOf(tx), work, rng)
	if rng.Intn(4) == 0 {
		return committed
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return work
}

// rootOf exposes a transaction's root bucket so checkBucket can compare the
// top-level bucket list too.
func rootOf(rtx walletdb.ReadTx) walletdb.ReadBucket {
	return rtx.(*tx).rootBucket()
}
