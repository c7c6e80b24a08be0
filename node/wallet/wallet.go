package wallet

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/chain"
	"lnwasm/node/keys"
	"lnwasm/node/store"
)

// Branches of an account: BIP44's external (receive) and internal (change).
const (
	Receive = keys.ChainReceive
	Change  = keys.ChainChange
)

// DefaultGapLimit is BIP44's: how many unused addresses past the last used
// one a restore looks at.
const DefaultGapLimit = 20

// Account derives the wallet's scripts and keys; *keys.Account implements
// it.
type Account interface {
	Kind() keys.AccountKind
	Address(branch keys.Chain, index uint32) (btcutil.Address, error)
	PkScript(branch keys.Chain, index uint32) ([]byte, error)
	PrivKey(branch keys.Chain, index uint32) (*btcec.PrivateKey, error)
	// RedeemScript is the P2SH redeem script of nested kinds, nil otherwise.
	RedeemScript(branch keys.Chain, index uint32) ([]byte, error)
}

// Config is what a Wallet needs.
type Config struct {
	Network *chaincfg.Params
	Store   store.Store
	Chain   chain.Backend
	// Account is the BIP84 account: receive addresses by default, and
	// every change output.
	Account Account
	// Extra are more accounts to receive on (BIP86 p2tr, BIP49 np2wkh).
	Extra []Account
	// Birthday is the height to scan from on first sync (the wallet's
	// creation height; 0 scans the whole chain).
	Birthday uint32
	GapLimit uint32
	Logger   *slog.Logger
}

// Wallet tracks one account's coins.
type Wallet struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex // serialises syncs and address issuance
	scripts  map[string]slot
	accounts map[keys.AccountKind]Account
}

// ErrNoAccount is returned for an address kind the wallet was not given.
var ErrNoAccount = errors.New("the wallet has no account of that address type")

// slot names the account kind, branch and index of a script.
type slot struct {
	kind   keys.AccountKind
	branch keys.Chain
	index  uint32
}

// New opens the wallet over its store.
func New(cfg Config) (*Wallet, error) {
	if cfg.Network == nil || cfg.Store == nil || cfg.Chain == nil || cfg.Account == nil {
		return nil, errors.New("new wallet: Network, Store, Chain and Account are required")
	}
	if cfg.GapLimit == 0 {
		cfg.GapLimit = DefaultGapLimit
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Wallet{cfg: cfg, log: log, scripts: map[string]slot{}, accounts: map[keys.AccountKind]Account{}}
	for _, a := range append([]Account{cfg.Account}, cfg.Extra...) {
		w.accounts[a.Kind()] = a
	}
	return w, nil
}

// NewAddress hands out the next unused receive address of the default
// (BIP84) account; see NewAddressOf.
func (w *Wallet) NewAddress() (btcutil.Address, error) {
	return w.NewAddressOf(w.cfg.Account.Kind())
}

// NewAddressOf hands out the next unused receive address of an account kind
// and remembers that it was handed out, so it is watched from now on.
func (w *Wallet) NewAddressOf(kind keys.AccountKind) (btcutil.Address, error) {
	acct, ok := w.accounts[kind]
	if !ok {
		return nil, fmt.Errorf("%w (%s)", ErrNoAccount, kind)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var addr btcutil.Address
	err := w.cfg.Store.Update(func(tx store.Tx) error {
		st, err := loadState(tx)
		if err != nil {
			return err
		}
		idx := st.next[kind][Receive]
		if addr, err = acct.Address(Receive, idx); err != nil {
			return err
		}
		st.next[kind][Receive] = idx + 1
		return st.saveIndices(tx)
	})
	if err != nil {
		return nil, fmt.Errorf("new address: %w", err)
	}
	return addr, nil
}

// Balance is the sum of unspent confirmed outputs, in satoshis.
type Balance struct {
	ConfirmedSat, UnconfirmedSat int64
	// LockedSat is reserved by open funding leases (not in Confirmed).
	LockedSat int64
}

// Balance reads the stored UTXO set.
func (w *Wallet) Balance() (Balance, error) {
	var b Balance
	err := w.cfg.Store.View(func(tx store.Tx) error {
		utxos, err := loadUTXOs(tx)
		for _, u := range utxos {
			switch {
			case u.SpentHeight == leasedSpend:
				b.LockedSat += u.Value
			case u.SpentHeight != 0:
			case u.Height == 0:
				b.UnconfirmedSat += u.Value
			default:
				b.ConfirmedSat += u.Value
			}
		}
		return err
	})
	if err != nil {
		return Balance{}, fmt.Errorf("balance: %w", err)
	}
	return b, nil
}

// ListUnspent returns the unspent outputs.
func (w *Wallet) ListUnspent() ([]UTXO, error) {
	var out []UTXO
	err := w.cfg.Store.View(func(tx store.Tx) error {
		utxos, err := loadUTXOs(tx)
		for _, u := range utxos {
			if u.SpentHeight == 0 {
				out = append(out, u)
			}
		}
		return err
	})
	return out, err
}
