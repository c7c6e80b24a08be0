package kvdb

import (
	"errors"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/btcsuite/btcwallet/walletdb"
	"github.com/lightninglabs/neutrino/headerfs"
)

// makeChain builds n regtest headers on top of genesis. headerfs does not
// check proof of work, so only the linkage matters.
func makeChain(n int) []headerfs.BlockHeader {
	params := &chaincfg.RegressionNetParams
	prev := params.GenesisBlock.Header
	start := prev.Timestamp
	hdrs := make([]headerfs.BlockHeader, 0, n)
	for i := 1; i <= n; i++ {
		h := wire.BlockHeader{
			Version:    4,
			PrevBlock:  prev.BlockHash(),
			MerkleRoot: chainhash.Hash{byte(i)},
			Timestamp:  start.Add(time.Duration(i) * 10 * time.Minute),
			Bits:       prev.Bits,
			Nonce:      uint32(i),
		}
		hdrs = append(hdrs, headerfs.BlockHeader{
			BlockHeader: &h, Height: uint32(i),
		})
		prev = h
	}
	return hdrs
}

// TestNeutrinoHeaderStore runs neutrino's real block header index on the
// database: write headers, read them back, roll back one, and reopen from
// the journal.
func TestNeutrinoHeaderStore(t *testing.T) {
	dir := t.TempDir()
	j := NewMemJournal()
	db, err := Open(j)
	if err != nil {
		t.Fatal(err)
	}
	store, err := headerfs.NewBlockHeaderStore(dir, db,
		&chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatalf("NewBlockHeaderStore: %v", err)
	}
	chain := makeChain(12)
	if err := store.WriteHeaders(chain[:5]...); err != nil {
		t.Fatalf("WriteHeaders: %v", err)
	}
	if err := store.WriteHeaders(chain[5:]...); err != nil {
		t.Fatalf("WriteHeaders: %v", err)
	}
	checkHeaders(t, store, chain)

	stamp, err := store.RollbackLastBlock()
	if err != nil {
		t.Fatalf("RollbackLastBlock: %v", err)
	}
	if stamp.Height != 11 || stamp.Hash != chain[10].BlockHash() {
		t.Fatalf("rollback tip %d %v", stamp.Height, stamp.Hash)
	}
	gone := chain[11].BlockHash()
	if _, err := store.HeightFromHash(&gone); !errors.Is(err, headerfs.ErrHashNotFound) {
		t.Fatalf("rolled back header still indexed: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopen from the journal only, as the browser would after a reload.
	recs, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	db2, err := walletdb.Open(DriverName, NewMemJournal(recs...))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	store2, err := headerfs.NewBlockHeaderStore(dir, db2,
		&chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatalf("reopen NewBlockHeaderStore: %v", err)
	}
	checkHeaders(t, store2, chain[:11])

	filters, err := headerfs.NewFilterHeaderStore(dir, db2,
		headerfs.RegularFilter, &chaincfg.RegressionNetParams, nil)
	if err != nil {
		t.Fatalf("NewFilterHeaderStore: %v", err)
	}
	fh := headerfs.FilterHeader{
		HeaderHash: chain[0].BlockHash(),
		FilterHash: chainhash.Hash{0xaa},
		Height:     1,
	}
	if err := filters.WriteHeaders(fh); err != nil {
		t.Fatalf("filter WriteHeaders: %v", err)
	}
	tip, height, err := filters.ChainTip()
	if err != nil || height != 1 || *tip != fh.FilterHash {
		t.Fatalf("filter tip %v %d %v", tip, height, err)
	}
}

// checkHeaders verifies tip, lookups by hash and height, and the locator.
func checkHeaders(t *testing.T, store headerfs.BlockHeaderStore,
	chain []headerfs.BlockHeader) {

	t.Helper()
	tipHdr, tipHeight, err := store.ChainTip()
	if err != nil {
		t.Fatalf("ChainTip: %v", err)
	}
	last := chain[len(chain)-1]
	if tipHeight != last.Height || tipHdr.BlockHash() != last.BlockHash() {
		t.Fatalf("tip %d, want %d", tipHeight, last.Height)
	}
	for _, h := range chain {
		hash := h.BlockHash()
		got, height, err := store.FetchHeader(&hash)
		if err != nil || height != h.Height || got.BlockHash() != hash {
			t.Fatalf("FetchHeader(%d): height %d err %v", h.Height,
				height, err)
		}
		byHeight, err := store.FetchHeaderByHeight(h.Height)
		if err != nil || byHeight.BlockHash() != hash {
			t.Fatalf("FetchHeaderByHeight(%d): %v", h.Height, err)
		}
	}
	genesis := chaincfg.RegressionNetParams.GenesisHash
	if h, err := store.HeightFromHash(genesis); err != nil || h != 0 {
		t.Fatalf("genesis height %d err %v", h, err)
	}
	locator, err := store.LatestBlockLocator()
	if err != nil || len(locator) == 0 || *locator[0] != last.BlockHash() {
		t.Fatalf("LatestBlockLocator: %v (%d entries)", err,
			len(locator))
	}
	checker, ok := store.(interface{ CheckConnectivity() error })
	if !ok {
		t.Fatalf("header store lacks CheckConnectivity")
	}
	if err := checker.CheckConnectivity(); err != nil {
		t.Fatalf("CheckConnectivity: %v", err)
	}
}
