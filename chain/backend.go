package chain

import (
	"context"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// Backend is everything node/ needs to know about the chain. It is an
// interface so node/ can be tested against a fake chain and so a future
// backend (Electrum, bitcoind RPC for a server deployment) can replace
// neutrino without touching the channel engine.
type Backend interface {
	// Start begins syncing; it returns once the backend runs, not when synced.
	Start() error
	// Stop ends every goroutine and closes every connection the backend owns.
	Stop() error

	// BestBlock is the highest block whose header and filter header are both
	// known and verified: the height node/ may act on.
	BestBlock() (BlockStamp, error)
	// Progress reports header and filter-header sync against the peers' tip.
	Progress() Progress
	// SubscribeBlocks delivers every connected and disconnected block, in
	// order, from the moment of the call.
	SubscribeBlocks() (*BlockSubscription, error)

	// RegisterConfirmations reports when the transaction (found through its
	// output script) reaches NumConfs confirmations, and when a reorg undoes it.
	RegisterConfirmations(req ConfRequest) (*ConfEvent, error)
	// RegisterSpend reports the transaction that spends an outpoint.
	RegisterSpend(req SpendRequest) (*SpendEvent, error)
	// Rescan scans every block from a height to the tip for transactions that
	// pay one of the scripts or spend one of the outpoints.
	Rescan(ctx context.Context, req RescanRequest) ([]TxMatch, error)

	// Broadcast hands a transaction to the connected peers.
	Broadcast(tx *wire.MsgTx) error
	// FeeRate estimates the rate needed to confirm within confTarget blocks.
	FeeRate(confTarget uint32) (SatPerKWeight, error)
}

// BlockStamp names one block of the best chain.
type BlockStamp struct {
	Height    uint32
	Hash      chainhash.Hash
	Timestamp time.Time
}

// Progress is the sync state a page shows as a progress bar: headers first,
// then filter headers, against the best height any peer announced.
type Progress struct {
	HeaderHeight uint32
	HeaderHash   chainhash.Hash
	FilterHeight uint32
	TargetHeight uint32
	Peers        int
	Synced       bool
}

// BlockEvent is one block connected to, or disconnected from, the best chain.
type BlockEvent struct {
	Block        BlockStamp
	Disconnected bool
}

// BlockSubscription streams BlockEvents until Cancel is called.
type BlockSubscription struct {
	Events <-chan BlockEvent
	Cancel func()
}

// ConfRequest asks for confirmations of a transaction. The script is what
// compact filters can match; the txid tells which of the matching
// transactions is the one.
type ConfRequest struct {
	Txid       chainhash.Hash
	PkScript   []byte
	NumConfs   uint32
	HeightHint uint32
}

// TxConfirmation says where a transaction was mined.
type TxConfirmation struct {
	BlockHash   chainhash.Hash
	BlockHeight uint32
	TxIndex     uint32
	Tx          *wire.MsgTx
}

// ConfEvent delivers a confirmation once it reaches the requested depth, and
// a reorg notice if the block holding a delivered confirmation leaves the
// best chain; the confirmation is then delivered again once the transaction
// is mined anew. The watch lasts until Cancel.
type ConfEvent struct {
	Confirmed <-chan TxConfirmation
	Reorged   <-chan struct{}
	Cancel    func()
}

// SpendRequest asks for the transaction that spends an outpoint. The script
// is the one the outpoint pays to: BIP158 filters include spent prevout
// scripts, which is how a light client sees a spend.
type SpendRequest struct {
	OutPoint   wire.OutPoint
	PkScript   []byte
	HeightHint uint32
}

// SpendDetail describes the spend of a watched outpoint.
type SpendDetail struct {
	SpentOutPoint  wire.OutPoint
	SpenderTxHash  chainhash.Hash
	SpendingTx     *wire.MsgTx
	SpenderInIndex uint32
	SpendingHeight uint32
}

// SpendEvent delivers the spend of an outpoint, and a reorg notice if the
// block holding a delivered spend leaves the best chain; the spend found in
// the new chain is then delivered again. The watch lasts until Cancel.
type SpendEvent struct {
	Spend   <-chan SpendDetail
	Reorged <-chan struct{}
	Cancel  func()
}

// RescanRequest is a historical scan. Scripts is required, and must include
// the scripts the OutPoints pay: compact filters see a spend only through the
// script of the output it spends.
type RescanRequest struct {
	Scripts   [][]byte
	OutPoints []wire.OutPoint
	From      uint32
}

// TxMatch is a transaction a rescan found, with the block that holds it.
type TxMatch struct {
	Tx          *wire.MsgTx
	BlockHash   chainhash.Hash
	BlockHeight uint32
}

// SatPerKWeight is a fee rate in satoshis per 1000 weight units, the unit
// Lightning's feerate_per_kw uses.
type SatPerKWeight int64

// SatPerVByte converts a fee rate per kiloweight to satoshis per vbyte.
func (r SatPerKWeight) SatPerVByte() float64 { return float64(r) * 4 / 1000 }

// FeeRateFromSatPerVByte converts satoshis per vbyte to satoshis per
// kiloweight.
func FeeRateFromSatPerVByte(v float64) SatPerKWeight { return SatPerKWeight(v * 1000 / 4) }
