package node

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/chain"
	"lnwasm/node/keys"
	"lnwasm/node/store"
	"lnwasm/node/wallet"
)

// ErrNoChain is returned by on-chain calls of a node built without a chain.
var ErrNoChain = errors.New("this node has no chain backend")

// ErrAddressType is returned for an address type the wallet cannot issue.
var ErrAddressType = errors.New("unsupported address type: want p2wkh, p2tr or np2wkh")

// addressKinds maps lncli's address types to accounts.
var addressKinds = map[string]keys.AccountKind{
	"": keys.AccountP2WPKH, "p2wkh": keys.AccountP2WPKH,
	"p2tr": keys.AccountP2TR, "np2wkh": keys.AccountNP2WPKH,
}

var keyBirthday = []byte("birthday")

// startWallet opens the on-chain wallet of the unlocked seed (BIP84 account
// 0) and keeps it synced until the node stops.
func (n *Node) startWallet(ring *keys.Ring) error {
	if n.cfg.Chain == nil {
		return nil
	}
	acct, err := ring.Account(keys.AccountP2WPKH, 0)
	if err != nil {
		return fmt.Errorf("open wallet: %w", err)
	}
	var extra []wallet.Account
	for _, k := range []keys.AccountKind{keys.AccountP2TR, keys.AccountNP2WPKH} {
		a, err := ring.Account(k, 0)
		if err != nil {
			return fmt.Errorf("open wallet: %w", err)
		}
		extra = append(extra, a)
	}
	birthday, err := n.birthday()
	if err != nil {
		return fmt.Errorf("open wallet: %w", err)
	}
	w, err := wallet.New(wallet.Config{Network: n.cfg.Network, Store: n.cfg.Store, Chain: n.cfg.Chain,
		Account: acct, Extra: extra, Birthday: birthday, Logger: n.log})
	if err != nil {
		return fmt.Errorf("open wallet: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.mu.Lock()
	n.wallet, n.stopWallet = w, cancel
	n.mu.Unlock()
	go func() { _ = w.Run(ctx) }()
	return nil
}

// birthdayFor is the height a new wallet starts at, so its first sync need
// not scan older blocks; a restored wallet gets 0 (every block).
func (n *Node) birthdayFor(restored bool) uint32 {
	if restored {
		return 0
	}
	return n.tipHeight()
}

func recordBirthday(tx store.Tx, h uint32) error {
	return tx.Put(bucketWallet, keyBirthday, binary.BigEndian.AppendUint32(nil, h))
}

func (n *Node) birthday() (uint32, error) {
	var h uint32
	err := n.cfg.Store.View(func(tx store.Tx) error {
		v, err := tx.Get(bucketWallet, keyBirthday)
		if len(v) == 4 {
			h = binary.BigEndian.Uint32(v)
		}
		return err
	})
	return h, err
}

func (n *Node) theWallet() (*wallet.Wallet, error) {
	if _, err := n.identityKey(); err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.wallet == nil {
		return nil, ErrNoChain
	}
	return n.wallet, nil
}

// NewAddress is lncli newaddress.
func (n *Node) NewAddress(kind string) (btcutil.Address, error) {
	k, ok := addressKinds[kind]
	if !ok {
		return nil, fmt.Errorf("%w (got %q)", ErrAddressType, kind)
	}
	w, err := n.theWallet()
	if err != nil {
		return nil, err
	}
	return w.NewAddressOf(k)
}

// WalletBalance is lncli walletbalance.
func (n *Node) WalletBalance() (wallet.Balance, error) {
	w, err := n.theWallet()
	if err != nil {
		return wallet.Balance{}, err
	}
	return w.Balance()
}

// SendCoins is lncli sendcoins.
func (n *Node) SendCoins(ctx context.Context, req wallet.SendRequest) (wallet.SendResult, error) {
	w, err := n.theWallet()
	if err != nil {
		return wallet.SendResult{}, err
	}
	return w.SendCoins(ctx, req)
}

// ListUnspent is lncli listunspent.
func (n *Node) ListUnspent() ([]wallet.UTXO, error) {
	w, err := n.theWallet()
	if err != nil {
		return nil, err
	}
	return w.ListUnspent()
}

// ListTransactions is lncli listchaintxns.
func (n *Node) ListTransactions() ([]wallet.TxRecord, error) {
	w, err := n.theWallet()
	if err != nil {
		return nil, err
	}
	return w.ListTransactions()
}

// LockWallet forgets the keys: the node must be unlocked again. Peers are
// dropped, since they were authenticated with the identity key.
func (n *Node) LockWallet() error {
	n.mu.Lock()
	stop, stopBlocks := n.stopWallet, n.stopBlocks
	slots := n.peers
	n.ring, n.identity, n.wallet, n.stopWallet, n.stopBlocks = nil, nil, nil, nil, nil
	n.peers = map[string]*peerSlot{}
	n.mu.Unlock()
	for _, f := range []context.CancelFunc{stop, stopBlocks} {
		if f != nil {
			f()
		}
	}
	for _, s := range slots {
		close(s.stop)
		if p := s.peer(); p != nil {
			p.Close()
		}
	}
	return nil
}

// BumpFee is lncli wallet bumpfee for our own unconfirmed sends.
func (n *Node) BumpFee(ctx context.Context, txid chainhash.Hash, rate chain.SatPerKWeight) (wallet.SendResult, error) {
	w, err := n.theWallet()
	if err != nil {
		return wallet.SendResult{}, err
	}
	return w.BumpFee(ctx, txid, rate)
}
