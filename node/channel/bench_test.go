package channel

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"lnwasm/node/script"
)

// BenchmarkCommitmentUpdates measures one HTLC's life on an anchors channel
// between two of our machines in memory: A offers it, B settles it. Each
// op is two commitment updates, each a commitment_signed and a
// revoke_and_ack in both directions, with the state encoded before every
// message that commits to it, as the node's host does. The metric
// updates/s counts commitment updates.
func BenchmarkCommitmentUpdates(b *testing.B) {
	p := newPair(b, 1, script.Anchors, 10_000_000, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var pre [32]byte
		binary.BigEndian.PutUint64(pre[:], uint64(i))
		hash := sha256.Sum256(pre[:])
		if _, err := p.handle(p.a, AddHTLC{AmountMsat: 10_000, PaymentHash: hash, CltvExpiry: 1000}); err != nil {
			b.Fatalf("add %d: %v", i, err)
		}
		p.drain()
		if len(p.b.incoming) != 1 {
			b.Fatalf("op %d: B holds %d incoming HTLCs, want 1", i, len(p.b.incoming))
		}
		h := p.b.incoming[0]
		p.b.incoming = p.b.incoming[:0]
		if _, err := p.handle(p.b, SettleHTLC{ID: h.HTLCID, Preimage: pre}); err != nil {
			b.Fatalf("settle %d: %v", i, err)
		}
		p.drain()
		if _, ok := p.a.fulfill[h.HTLCID]; !ok {
			b.Fatalf("op %d: A did not learn the preimage", i)
		}
	}
	b.ReportMetric(2*float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}
