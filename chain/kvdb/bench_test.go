package kvdb

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/btcsuite/btcwallet/walletdb"
)

// BenchmarkHeaderIndexBatch mimics neutrino's header index: each
// transaction stores 2000 hash->height entries in sub-buckets named by the
// first two hash bytes, on top of everything written before.
func BenchmarkHeaderIndexBatch(b *testing.B) {
	const batch = 2000
	db, err := open(NewMemJournal())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	height := uint32(0)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		err := walletdb.Update(db, func(tx walletdb.ReadWriteTx) error {
			root, err := tx.CreateTopLevelBucket([]byte("header-index"))
			if err != nil {
				return err
			}
			for n := 0; n < batch; n++ {
				height++
				var hb [4]byte
				binary.BigEndian.PutUint32(hb[:], height)
				hash := sha256.Sum256(hb[:])
				sub, err := root.CreateBucketIfNotExists(hash[:2])
				if err != nil {
					return err
				}
				if err := sub.Put(hash[:], hb[:]); err != nil {
					return err
				}
			}
			return root.Put([]byte("bitcoin"), hb(height))
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(batch), "puts/op")
}

// hb encodes a height.
func hb(h uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], h)
	return b[:]
}
