package invoice

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"lnwasm/node/store"
)

// testRecord is an Open record whose preimage is derived from n.
func testRecord(n byte) *Record {
	pre := [32]byte{n}
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	return &Record{
		PaymentRequest:          "lnbc1test",
		PaymentHash:             sha256.Sum256(pre[:]),
		Preimage:                pre,
		PaymentSecret:           [32]byte{0xaa, n},
		AmountMsat:              uint64(n) * 1000,
		Memo:                    "memo",
		CreatedAt:               created,
		ExpiresAt:               created.Add(time.Hour),
		MinFinalCLTVExpiryDelta: 80,
	}
}

// sameRecord compares records, times by instant.
func sameRecord(t *testing.T, got, want *Record) {
	t.Helper()
	g, w := *got, *want
	for _, p := range []struct{ a, b *time.Time }{{&g.CreatedAt, &w.CreatedAt}, {&g.ExpiresAt, &w.ExpiresAt}, {&g.SettledAt, &w.SettledAt}} {
		if !p.a.Equal(*p.b) {
			t.Errorf("time %v != %v", *p.a, *p.b)
		}
		*p.a, *p.b = time.Time{}, time.Time{}
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("record\n got %+v\nwant %+v", g, w)
	}
}

// TestRegistryLifecycle adds, lists, settles and cancels invoices, then
// reopens the store as after a restart.
func TestRegistryLifecycle(t *testing.T) {
	st := store.NewMemory()
	reg := NewRegistry(st)
	recs := []*Record{testRecord(3), testRecord(1), testRecord(2)}
	for i, rec := range recs {
		if err := reg.Add(rec); err != nil {
			t.Fatal(err)
		}
		if rec.AddIndex != uint64(i+1) {
			t.Errorf("AddIndex %d, want %d", rec.AddIndex, i+1)
		}
	}
	dup := testRecord(1)
	if err := reg.Add(dup); !errors.Is(err, ErrDuplicate) || dup.AddIndex != 0 {
		t.Errorf("duplicate Add: %v, AddIndex %d", err, dup.AddIndex)
	}
	got, err := reg.Get(recs[1].PaymentHash)
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, got, recs[1])
	if _, err := reg.Get([32]byte{9}); !errors.Is(err, ErrUnknown) {
		t.Errorf("Get of an unknown hash: %v", err)
	}
	checkList(t, reg, recs)

	at := time.Date(2025, 1, 2, 3, 30, 0, 0, time.UTC)
	settled, err := reg.Settle(recs[0].PaymentHash, 3500, at)
	if err != nil || settled.State != StateSettled || settled.AmountPaidMsat != 3500 || !settled.SettledAt.Equal(at) {
		t.Fatalf("Settle = %+v, %v", settled, err)
	}
	again, err := reg.Settle(recs[0].PaymentHash, 1, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, again, settled)
	if err := reg.Cancel(recs[0].PaymentHash); !errors.Is(err, ErrSettled) {
		t.Errorf("Cancel of a settled invoice: %v", err)
	}
	if err := reg.Cancel(recs[1].PaymentHash); err != nil {
		t.Fatal(err)
	}
	if err := reg.Cancel(recs[1].PaymentHash); err != nil {
		t.Errorf("second Cancel: %v", err)
	}
	if _, err := reg.Settle(recs[1].PaymentHash, 1000, at); !errors.Is(err, ErrCanceled) {
		t.Errorf("Settle of a canceled invoice: %v", err)
	}
	if _, err := reg.Settle([32]byte{9}, 1, at); !errors.Is(err, ErrUnknown) {
		t.Errorf("Settle of an unknown hash: %v", err)
	}
	if err := reg.Cancel([32]byte{9}); !errors.Is(err, ErrUnknown) {
		t.Errorf("Cancel of an unknown hash: %v", err)
	}
	checkReopen(t, st, settled)
}

// checkList checks List returns want in AddIndex order.
func checkList(t *testing.T, reg *Registry, want []*Record) {
	t.Helper()
	list, err := reg.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(want) {
		t.Fatalf("List has %d records, want %d", len(list), len(want))
	}
	for i := range want {
		sameRecord(t, list[i], want[i])
	}
}

// checkReopen opens a new Registry on the same store, as after a restart.
func checkReopen(t *testing.T, st store.Store, settled *Record) {
	t.Helper()
	reg := NewRegistry(st)
	got, err := reg.Get(settled.PaymentHash)
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, got, settled)
	list, err := reg.List()
	if err != nil || len(list) != 3 || list[1].State != StateCanceled || list[2].State != StateOpen {
		t.Fatalf("after reopen List = %v, %v", list, err)
	}
	next := testRecord(4)
	if err := reg.Add(next); err != nil || next.AddIndex != 4 {
		t.Errorf("Add after reopen: AddIndex %d, %v; want 4", next.AddIndex, err)
	}
}

// TestRegistryAddRefuses checks that Add keeps out records it could never
// settle, and leaves nothing behind.
func TestRegistryAddRefuses(t *testing.T) {
	reg := NewRegistry(store.NewMemory())
	bad := testRecord(1)
	bad.Preimage[31] ^= 1
	if err := reg.Add(bad); err == nil || !strings.Contains(err.Error(), "preimage") {
		t.Errorf("Add with a wrong preimage: %v", err)
	}
	settled := testRecord(2)
	settled.State = StateSettled
	if err := reg.Add(settled); err == nil {
		t.Error("Add of a settled record succeeded")
	}
	if list, err := reg.List(); err != nil || len(list) != 0 {
		t.Errorf("List after refused Adds = %v, %v", list, err)
	}
}

// TestRecordJSON checks the stored form: hex byte arrays, state by name.
func TestRecordJSON(t *testing.T) {
	rec := testRecord(5)
	rec.State, rec.AddIndex = StateSettled, 7
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["preimage"] != "05"+strings.Repeat("00", 31) || m["state"] != "SETTLED" {
		t.Errorf("stored form %s", b)
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	sameRecord(t, &back, rec)
	short := strings.Replace(string(b), `"preimage":"05`, `"preimage":"`, 1)
	if err := json.Unmarshal([]byte(short), &back); err == nil {
		t.Error("accepted a 31.5-byte preimage")
	}
	if err := json.Unmarshal([]byte(strings.Replace(string(b), "SETTLED", "PAID", 1)), &back); err == nil {
		t.Error("accepted an unknown state")
	}
	for s, want := range map[State]string{StateOpen: "OPEN", StateSettled: "SETTLED", StateCanceled: "CANCELED", 9: "State(9)"} {
		if s.String() != want {
			t.Errorf("State(%d).String() = %q, want %q", s, s.String(), want)
		}
	}
}

// TestRecordExpired checks that only Open records expire, strictly after
// ExpiresAt.
func TestRecordExpired(t *testing.T) {
	rec := testRecord(1)
	if rec.Expired(rec.ExpiresAt) || !rec.Expired(rec.ExpiresAt.Add(time.Nanosecond)) {
		t.Error("an Open record expires strictly after ExpiresAt")
	}
	rec.State = StateSettled
	if rec.Expired(rec.ExpiresAt.Add(time.Hour)) {
		t.Error("a settled record is never expired")
	}
}
