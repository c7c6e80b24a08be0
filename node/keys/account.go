package keys

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
)

// AccountKind is the script type of an on-chain account, and with it the
// BIP43 purpose of its path: another wallet restoring the same words looks
// for each script type under its own purpose.
type AccountKind uint8

// The wallet's account kinds. The zero value is no kind, so a forgotten
// field is refused instead of silently meaning one of them.
const (
	// AccountP2WPKH is BIP84: native segwit v0, m/84'/coin'/account'.
	AccountP2WPKH AccountKind = iota + 1
	// AccountP2TR is BIP86: single-key taproot spent by key path only,
	// m/86'/coin'/account'.
	AccountP2TR
	// AccountNP2WPKH is BIP49: P2WPKH nested in P2SH, for senders that
	// cannot pay to bech32, m/49'/coin'/account'.
	AccountNP2WPKH
)

// Purpose is the BIP43 purpose of the kind's path, or 0 for no kind.
func (k AccountKind) Purpose() uint32 {
	switch k {
	case AccountP2WPKH:
		return 84
	case AccountP2TR:
		return 86
	case AccountNP2WPKH:
		return 49
	}
	return 0
}

// String names the kind by its script type, as lncli's newaddress does.
func (k AccountKind) String() string {
	switch k {
	case AccountP2WPKH:
		return "p2wkh"
	case AccountP2TR:
		return "p2tr"
	case AccountNP2WPKH:
		return "np2wkh"
	}
	return fmt.Sprintf("AccountKind(%d)", uint8(k))
}

// Chain is the fourth level of a BIP44-style path: which of an account's two
// address chains a key belongs to.
type Chain uint32

// The two chains every account has.
const (
	ChainReceive Chain = 0 // external: addresses handed to payers
	ChainChange  Chain = 1 // internal: our own change outputs
)

// Account is one on-chain account, m/purpose'/coin'/number'. It derives the
// account key and both chain keys once, so each address costs one BIP32
// step; it is immutable and safe for concurrent use. Results are a pure
// function of (chain, index), so callers may cache them freely.
type Account struct {
	kind   AccountKind
	number uint32
	coin   uint32
	net    *chaincfg.Params
	xprv   *hdkeychain.ExtendedKey    // the account key, private
	xpub   *hdkeychain.ExtendedKey    // the account key, public
	priv   [2]*hdkeychain.ExtendedKey // chain keys, indexed by Chain
	pub    [2]*hdkeychain.ExtendedKey // the same, public
}

// Account derives account number (0 for the wallet) of the given kind.
func (r *Ring) Account(kind AccountKind, number uint32) (*Account, error) {
	if kind.Purpose() == 0 {
		return nil, fmt.Errorf("account: unknown kind %d", uint8(kind))
	}
	if number >= hdkeychain.HardenedKeyStart {
		return nil, fmt.Errorf("account %s: number %d is not below 2^31", kind, number)
	}
	a := &Account{kind: kind, number: number, coin: r.coin, net: r.net}
	var err error
	a.xprv, err = derivePath(r.master,
		hdkeychain.HardenedKeyStart+kind.Purpose(),
		hdkeychain.HardenedKeyStart+r.coin,
		hdkeychain.HardenedKeyStart+number)
	if err != nil {
		return nil, fmt.Errorf("account %s %d: %w", kind, number, err)
	}
	if a.xpub, err = a.xprv.Neuter(); err != nil {
		return nil, fmt.Errorf("account %s %d: %w", kind, number, err)
	}
	for _, c := range []Chain{ChainReceive, ChainChange} {
		if a.priv[c], err = derivePath(a.xprv, uint32(c)); err != nil {
			return nil, fmt.Errorf("account %s %d chain %d: %w", kind, number, c, err)
		}
		if a.pub[c], err = a.priv[c].Neuter(); err != nil {
			return nil, fmt.Errorf("account %s %d chain %d: %w", kind, number, c, err)
		}
	}
	return a, nil
}

// Kind is the account's script type.
func (a *Account) Kind() AccountKind { return a.kind }

// Path is the full BIP32 path of a key from the master, as PSBTs record it.
func (a *Account) Path(chain Chain, index uint32) []uint32 {
	return []uint32{
		hdkeychain.HardenedKeyStart + a.kind.Purpose(),
		hdkeychain.HardenedKeyStart + a.coin,
		hdkeychain.HardenedKeyStart + a.number,
		uint32(chain), index,
	}
}

// XPub is the account's extended public key in plain BIP32 form: xpub on
// mainnet, tpub on the test networks, whatever the kind (see SLIP132Pub).
func (a *Account) XPub() string { return a.xpub.String() }

// PubKey is the public key at chain/index, derived without the private key.
// For a P2TR account it is the BIP86 internal key, before the tweak.
func (a *Account) PubKey(chain Chain, index uint32) (*btcec.PublicKey, error) {
	k, err := a.child(a.pub, chain, index)
	if err != nil {
		return nil, err
	}
	pub, err := k.ECPubKey()
	if err != nil {
		return nil, fmt.Errorf("account %s pubkey %d/%d: %w", a.kind, chain, index, err)
	}
	return pub, nil
}

// PrivKey is the private key at chain/index. For a P2TR account it is the
// untweaked internal key: a key-path signature needs
// txscript.TweakTaprootPrivKey(*k, nil) first (BIP86: no script tree).
func (a *Account) PrivKey(chain Chain, index uint32) (*btcec.PrivateKey, error) {
	k, err := a.child(a.priv, chain, index)
	if err != nil {
		return nil, err
	}
	priv, err := k.ECPrivKey()
	if err != nil {
		return nil, fmt.Errorf("account %s privkey %d/%d: %w", a.kind, chain, index, err)
	}
	return priv, nil
}

// Address is the address at chain/index, encoded for the ring's network
// (bc, tb or bcrt for bech32; the network's P2SH prefix for BIP49).
func (a *Account) Address(chain Chain, index uint32) (btcutil.Address, error) {
	pub, err := a.PubKey(chain, index)
	if err != nil {
		return nil, err
	}
	addr, err := a.addressOf(pub)
	if err != nil {
		return nil, fmt.Errorf("account %s address %d/%d: %w", a.kind, chain, index, err)
	}
	return addr, nil
}

// PkScript is the output script paying to Address(chain, index).
func (a *Account) PkScript(chain Chain, index uint32) ([]byte, error) {
	addr, err := a.Address(chain, index)
	if err != nil {
		return nil, err
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, fmt.Errorf("account %s script %d/%d: %w", a.kind, chain, index, err)
	}
	return script, nil
}

// RedeemScript is the script a BIP49 spend pushes in its scriptSig, the
// P2WPKH program 0x0014{keyhash}; it is nil for the native segwit kinds,
// whose inputs need none.
func (a *Account) RedeemScript(chain Chain, index uint32) ([]byte, error) {
	if a.kind != AccountNP2WPKH {
		if _, err := a.child(a.pub, chain, index); err != nil {
			return nil, err
		}
		return nil, nil
	}
	pub, err := a.PubKey(chain, index)
	if err != nil {
		return nil, err
	}
	script, err := p2wpkhScript(pub, a.net)
	if err != nil {
		return nil, fmt.Errorf("account %s redeem script %d/%d: %w", a.kind, chain, index, err)
	}
	return script, nil
}

// child takes the one BIP32 step below a chain key, refusing what is not an
// address: chains other than 0 and 1, and hardened indexes.
func (a *Account) child(keys [2]*hdkeychain.ExtendedKey, chain Chain, index uint32) (*hdkeychain.ExtendedKey, error) {
	if chain != ChainReceive && chain != ChainChange {
		return nil, fmt.Errorf("account %s: chain %d, want 0 (receive) or 1 (change)", a.kind, chain)
	}
	if index >= hdkeychain.HardenedKeyStart {
		return nil, fmt.Errorf("account %s: index %d is hardened; addresses use 0..2^31-1", a.kind, index)
	}
	// BIP32: an index whose key would be invalid (odds below 2^-127) is
	// skipped; hdkeychain reports ErrInvalidChild and the caller moves on.
	k, err := derivePath(keys[chain], index)
	if err != nil {
		return nil, fmt.Errorf("account %s key %d/%d: %w", a.kind, chain, index, err)
	}
	return k, nil
}

// addressOf encodes a derived public key as the kind's address.
func (a *Account) addressOf(pub *btcec.PublicKey) (btcutil.Address, error) {
	switch a.kind {
	case AccountP2WPKH:
		return btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), a.net)
	case AccountP2TR:
		// BIP86: output key = P + int(hashTapTweak(bytes(P)))G, P the
		// even-y lift of the derived key (BIP341, no script path).
		out := txscript.ComputeTaprootKeyNoScript(pub)
		return btcutil.NewAddressTaproot(schnorr.SerializePubKey(out), a.net)
	case AccountNP2WPKH:
		redeem, err := p2wpkhScript(pub, a.net)
		if err != nil {
			return nil, err
		}
		return btcutil.NewAddressScriptHash(redeem, a.net)
	}
	return nil, fmt.Errorf("unknown account kind %d", uint8(a.kind))
}

// p2wpkhScript is the witness v0 key-hash program of a public key.
func p2wpkhScript(pub *btcec.PublicKey, net *chaincfg.Params) ([]byte, error) {
	addr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), net)
	if err != nil {
		return nil, err
	}
	return txscript.PayToAddrScript(addr)
}
