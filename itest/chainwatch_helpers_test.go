package itest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/rpcclient"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/chain/kvdb"
	"lnwasm/server/devnet"
)

// chainWatch is an in-process playground and a neutrino backend that dials
// its btcd directly over TCP, so the tests can drive btcd by RPC (invalidate
// blocks, read its mempool) while the backend sees only the P2P side.
type chainWatch struct {
	d            *devnet.Devnet
	n            *chain.Neutrino
	rpc          *rpcclient.Client
	miningScript []byte
}

// startChainWatch starts btcd with segwit active and a synced backend.
func startChainWatch(t *testing.T) *chainWatch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := devnet.Start(ctx, devnet.Config{InitialBlocks: devnet.SegwitHeight, Logger: log})
	if err != nil {
		t.Fatalf("start devnet: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	db, err := kvdb.Open(kvdb.NewMemJournal())
	if err != nil {
		t.Fatalf("open kvdb: %v", err)
	}
	n, err := chain.NewNeutrino(chain.NeutrinoConfig{
		Params: &chaincfg.RegressionNetParams, DataDir: t.TempDir(), DB: db,
		Peers: []string{d.ChainPeer()}, Dial: (&net.Dialer{}).DialContext, Logger: log,
	})
	if err != nil {
		t.Fatalf("new neutrino: %v", err)
	}
	if err := n.Start(); err != nil {
		t.Fatalf("start neutrino: %v", err)
	}
	t.Cleanup(func() { _ = n.Stop() })
	script, err := txscript.PayToAddrScript(d.Btcd.MiningAddr)
	if err != nil {
		t.Fatalf("mining script: %v", err)
	}
	c := &chainWatch{d: d, n: n, rpc: d.Btcd.RPC(), miningScript: script}
	waitSynced(t, n, c.height(t))
	return c
}

func (c *chainWatch) height(t *testing.T) int64 {
	t.Helper()
	h, err := c.d.Btcd.Height()
	if err != nil {
		t.Fatalf("btcd height: %v", err)
	}
	return h
}

// mine has btcd mine n blocks, waits for the backend to reach them and
// returns their hashes.
func (c *chainWatch) mine(t *testing.T, n uint32) []*chainhash.Hash {
	t.Helper()
	hashes, err := c.d.Btcd.Mine(n)
	if err != nil {
		t.Fatalf("mine: %v", err)
	}
	waitSynced(t, c.n, c.height(t))
	return hashes
}

// settle waits until the backend's watcher has scanned height: it watches
// the coinbase of that block and waits for it. The watcher delivers every
// due event in one pass, so anything due at height is queued by then.
func (c *chainWatch) settle(t *testing.T, height int64) {
	t.Helper()
	blk := c.blockAt(t, height)
	ev, err := c.n.RegisterConfirmations(chain.ConfRequest{Txid: blk.Transactions[0].TxHash(),
		PkScript: c.miningScript, NumConfs: 1, HeightHint: uint32(height)})
	if err != nil {
		t.Fatalf("register sentinel: %v", err)
	}
	defer ev.Cancel()
	select {
	case <-ev.Confirmed:
	case <-time.After(time.Minute):
		t.Fatalf("watcher did not reach height %d within a minute", height)
	}
}

func (c *chainWatch) blockAt(t *testing.T, height int64) *wire.MsgBlock {
	t.Helper()
	hash, err := c.rpc.GetBlockHash(height)
	if err != nil {
		t.Fatalf("block hash at %d: %v", height, err)
	}
	blk, err := c.rpc.GetBlock(hash)
	if err != nil {
		t.Fatalf("block %s: %v", hash, err)
	}
	return blk
}

// coin is an output the test can spend.
type coin struct {
	op       wire.OutPoint
	value    int64
	pkScript []byte
	key      *btcec.PrivateKey
}

// coinbaseAt is the output of the coinbase at height that pays the mining
// address.
func (c *chainWatch) coinbaseAt(t *testing.T, height int64) coin {
	t.Helper()
	cb := c.blockAt(t, height).Transactions[0]
	for i, out := range cb.TxOut {
		if bytes.Equal(out.PkScript, c.miningScript) {
			return coin{op: wire.OutPoint{Hash: cb.TxHash(), Index: uint32(i)},
				value: out.Value, pkScript: out.PkScript, key: c.d.Btcd.MiningKey}
		}
	}
	t.Fatalf("coinbase at %d does not pay the mining address", height)
	return coin{}
}

// newP2WPKH makes a fresh key and its P2WPKH output script.
func newP2WPKH(t *testing.T) (*btcec.PrivateKey, []byte) {
	t.Helper()
	key, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	addr, err := btcutil.NewAddressWitnessPubKeyHash(
		btcutil.Hash160(key.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		t.Fatal(err)
	}
	return key, script
}

// spendTo signs a one-input one-output P2WPKH spend of in and checks it with
// the script engine, so a signing mistake fails here and not as a silent
// reject by btcd.
func spendTo(t *testing.T, in coin, to []byte, fee int64) *wire.MsgTx {
	t.Helper()
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&in.op, nil, nil))
	tx.AddTxOut(wire.NewTxOut(in.value-fee, to))
	fetcher := txscript.NewCannedPrevOutputFetcher(in.pkScript, in.value)
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	wit, err := txscript.WitnessSignature(tx, hashes, 0, in.value, in.pkScript,
		txscript.SigHashAll, in.key, true)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	tx.TxIn[0].Witness = wit
	vm, err := txscript.NewEngine(in.pkScript, tx, 0, txscript.StandardVerifyFlags,
		nil, hashes, in.value, fetcher)
	if err == nil {
		err = vm.Execute()
	}
	if err != nil {
		t.Fatalf("signed spend does not verify: %v", err)
	}
	return tx
}

// outputOf is output i of tx as a coin spendable with key.
func outputOf(tx *wire.MsgTx, i uint32, key *btcec.PrivateKey) coin {
	return coin{op: wire.OutPoint{Hash: tx.TxHash(), Index: i},
		value: tx.TxOut[i].Value, pkScript: tx.TxOut[i].PkScript, key: key}
}

// waitInMempool waits until btcd's mempool holds txid.
func (c *chainWatch) waitInMempool(t *testing.T, txid chainhash.Hash) {
	t.Helper()
	waitFor(t, 30*time.Second, fmt.Sprintf("%s in btcd's mempool", txid), func() (bool, string) {
		return c.inMempool(t, txid), "not there"
	})
}

// minedIn is the block btcd has txid in, or nil when it has none.
func (c *chainWatch) minedIn(t *testing.T, txid chainhash.Hash) *chainhash.Hash {
	t.Helper()
	res, err := c.rpc.GetRawTransactionVerbose(&txid)
	if err != nil || res.BlockHash == "" {
		return nil
	}
	h, err := chainhash.NewHashFromStr(res.BlockHash)
	if err != nil {
		t.Fatalf("block hash of %s: %v", txid, err)
	}
	return h
}
