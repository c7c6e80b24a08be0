package wallet

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/keys"
	"lnwasm/node/store"
)

var (
	bucketMeta  = []byte("onchain-meta")
	bucketUTXOs = []byte("onchain-utxos")
	keySynced   = []byte("synced-height")
)

// kinds are the account kinds the wallet keeps, indexable by their value.
var kinds = []keys.AccountKind{keys.AccountP2WPKH, keys.AccountP2TR, keys.AccountNP2WPKH}

const numKinds = 4 // AccountKind values are 1..3

func keyNext(k keys.AccountKind, b keys.Chain) []byte {
	return []byte(fmt.Sprintf("next-%d-%d", k, b))
}

// state is the wallet's small metadata: the next index per account kind
// and branch, and the last height synced.
type state struct {
	next   [numKinds][2]uint32
	synced uint32
}

func loadState(tx store.Tx) (state, error) {
	var st state
	for _, k := range kinds {
		for _, b := range []keys.Chain{Receive, Change} {
			v, err := tx.Get(bucketMeta, keyNext(k, b))
			if err != nil {
				return st, err
			}
			if st.next[k][b], err = u32(v); err != nil {
				return st, fmt.Errorf("%s: %w", keyNext(k, b), err)
			}
		}
	}
	v, err := tx.Get(bucketMeta, keySynced)
	if err != nil {
		return st, err
	}
	st.synced, err = u32(v)
	return st, err
}

func (st state) saveIndices(tx store.Tx) error {
	for _, k := range kinds {
		for _, b := range []keys.Chain{Receive, Change} {
			if err := tx.Put(bucketMeta, keyNext(k, b), binary.BigEndian.AppendUint32(nil, st.next[k][b])); err != nil {
				return err
			}
		}
	}
	return nil
}

func (st state) save(tx store.Tx) error {
	if err := st.saveIndices(tx); err != nil {
		return err
	}
	return tx.Put(bucketMeta, keySynced, binary.BigEndian.AppendUint32(nil, st.synced))
}

// u32 reads a stored big-endian uint32; absent means 0.
func u32(v []byte) (uint32, error) {
	if v == nil {
		return 0, nil
	}
	if len(v) != 4 {
		return 0, fmt.Errorf("stored value of %d bytes, want 4", len(v))
	}
	return binary.BigEndian.Uint32(v), nil
}

// UTXO is an output paying one of our scripts. Spent ones are kept with
// their spend height, so a reorg can restore them.
type UTXO struct {
	OutPoint    wire.OutPoint
	Value       int64
	PkScript    []byte
	Height      uint32
	SpentHeight uint32
	Kind        keys.AccountKind
	Branch      keys.Chain
	Index       uint32
}

const utxoFixed = 8 + 4 + 4 + 4 + 4 + 4

func (u UTXO) key() []byte {
	k := append([]byte{}, u.OutPoint.Hash[:]...)
	return binary.BigEndian.AppendUint32(k, u.OutPoint.Index)
}

func (u UTXO) value() []byte {
	v := make([]byte, 0, utxoFixed+len(u.PkScript))
	v = binary.BigEndian.AppendUint64(v, uint64(u.Value))
	for _, n := range []uint32{u.Height, u.SpentHeight, uint32(u.Kind), uint32(u.Branch), u.Index} {
		v = binary.BigEndian.AppendUint32(v, n)
	}
	return append(v, u.PkScript...)
}

func decodeUTXO(k, v []byte) (UTXO, error) {
	if len(k) != chainhash.HashSize+4 || len(v) < utxoFixed {
		return UTXO{}, errors.New("malformed stored utxo")
	}
	var u UTXO
	copy(u.OutPoint.Hash[:], k)
	u.OutPoint.Index = binary.BigEndian.Uint32(k[chainhash.HashSize:])
	u.Value = int64(binary.BigEndian.Uint64(v))
	u.Height = binary.BigEndian.Uint32(v[8:])
	u.SpentHeight = binary.BigEndian.Uint32(v[12:])
	u.Kind = keys.AccountKind(binary.BigEndian.Uint32(v[16:]))
	u.Branch = keys.Chain(binary.BigEndian.Uint32(v[20:]))
	u.Index = binary.BigEndian.Uint32(v[24:])
	if u.Kind == 0 || int(u.Kind) >= numKinds {
		return UTXO{}, fmt.Errorf("stored utxo of unknown account kind %d", u.Kind)
	}
	u.PkScript = append([]byte{}, v[utxoFixed:]...)
	return u, nil
}

func loadUTXOs(tx store.Tx) ([]UTXO, error) {
	var out []UTXO
	err := tx.ForEach(bucketUTXOs, func(k, v []byte) error {
		u, err := decodeUTXO(k, v)
		if err != nil {
			return fmt.Errorf("utxo %x: %w", k, err)
		}
		out = append(out, u)
		return nil
	})
	return out, err
}

func putUTXO(tx store.Tx, u UTXO) error { return tx.Put(bucketUTXOs, u.key(), u.value()) }
