package invoice

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
)

// currencies maps each BOLT 11 prefix we understand to the network it pays
// on, for messages.
//
// BOLT 11: `prefix`: `ln` + BIP-0173 currency prefix (e.g. `lnbc` for
// Bitcoin mainnet, `lntb` for Bitcoin testnet, `lntbs` for Bitcoin signet,
// and `lnbcrt` for Bitcoin regtest)
var currencies = map[string]string{
	"lnbc":   "mainnet",
	"lntb":   "testnet",
	"lntbs":  "signet",
	"lnbcrt": "regtest",
}

// Prefix returns the BOLT 11 human-readable prefix for a network: "lnbc"
// mainnet, "lntb" testnet3/testnet4, "lntbs" signet, "lnbcrt" regtest. It
// goes by the params' Name first (every signet has its own magic but
// keeps the name "signet") and falls back to the Net magic for params
// that were copied and renamed.
func Prefix(net *chaincfg.Params) (string, error) {
	if net == nil {
		return "", fmt.Errorf("invoice: no network given")
	}
	switch net.Name {
	case "mainnet":
		return "lnbc", nil
	case "testnet", "testnet3", "testnet4":
		return "lntb", nil
	case "signet":
		return "lntbs", nil
	case "regtest":
		return "lnbcrt", nil
	}
	switch net.Net {
	case wire.MainNet:
		return "lnbc", nil
	case wire.TestNet3:
		return "lntb", nil
	case wire.TestNet:
		return "lnbcrt", nil
	}
	return "", fmt.Errorf("invoice: network %q has no BOLT 11 prefix", net.Name)
}

// checkNetwork compares the invoice's prefix with the one net expects.
//
// BOLT 11, a reader: if it does NOT understand the `prefix`: MUST fail the
// payment.
func checkNetwork(prefix string, net *chaincfg.Params) error {
	want, err := Prefix(net)
	if err != nil {
		return fmt.Errorf("%w: %w", err, ErrInvalid)
	}
	if prefix == want {
		return nil
	}
	if other, ok := currencies[prefix]; ok {
		return fmt.Errorf("invoice: prefix %q is for %s, not %s: %w: %w",
			prefix, other, net.Name, ErrWrongNetwork, ErrInvalid)
	}
	return invalidf("unknown prefix %q", prefix)
}
