package invoice

import (
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/btcsuite/btcd/chaincfg"
)

// The fallback versions besides witness versions 0 to 16.
const (
	fallbackP2PKH = 17
	fallbackP2SH  = 18
)

// parseFallback reads one `f` field; a nil address with a nil error means
// an unknown version, to be skipped.
//
// BOLT 11: `f` (9): `data_length` variable, depending on version. Fallback
// on-chain address: for Bitcoin, this starts with a 5-bit `version` and
// contains a witness program or P2PKH or P2SH address. [A writer] MUST set
// an `f` field to a valid witness version and program, OR to `17` followed
// by a public key hash, OR to `18` followed by a script hash.
func parseFallback(data []byte, net *chaincfg.Params) (btcutil.Address, error) {
	if len(data) == 0 {
		return nil, fieldErrorf(tagFallback, "empty")
	}
	version := data[0]
	if version > fallbackP2SH {
		return nil, nil
	}
	prog, err := from5(data[1:])
	if err != nil {
		return nil, fieldErrorf(tagFallback, "%v", err)
	}
	var addr btcutil.Address
	switch {
	case version == fallbackP2PKH:
		addr, err = btcutil.NewAddressPubKeyHash(prog, net)
	case version == fallbackP2SH:
		addr, err = btcutil.NewAddressScriptHashFromHash(prog, net)
	default:
		addr, err = witnessFallback(version, prog, net)
	}
	if err != nil {
		return nil, fieldErrorf(tagFallback, "version %d: %v", version, err)
	}
	return addr, nil
}

// witnessFallback builds the address for a segwit fallback. btcutil has
// types for v0 and v1 (taproot) only; other versions and v1 programs that
// are not 32 bytes become a WitnessAddress.
//
// BIP 141: A witness program is [a version byte followed by] a data push
// between 2 and 40 bytes. [For version 0] if the witness program is
// neither 20 nor 32 bytes, the script must fail.
func witnessFallback(version byte, prog []byte, net *chaincfg.Params) (btcutil.Address, error) {
	switch {
	case version == 0 && len(prog) == 20:
		return btcutil.NewAddressWitnessPubKeyHash(prog, net)
	case version == 0 && len(prog) == 32:
		return btcutil.NewAddressWitnessScriptHash(prog, net)
	case version == 0:
		return nil, fmt.Errorf("witness v0 program of %d bytes, want 20 or 32", len(prog))
	case version == 1 && len(prog) == 32:
		return btcutil.NewAddressTaproot(prog, net)
	case len(prog) < 2 || len(prog) > 40:
		return nil, fmt.Errorf("witness program of %d bytes, want 2 to 40", len(prog))
	}
	return &WitnessAddress{
		hrp: net.Bech32HRPSegwit, version: version,
		program: append([]byte(nil), prog...),
	}, nil
}

// encodeFallback is the 5-bit data of one `f` field.
func encodeFallback(addr btcutil.Address, net *chaincfg.Params) ([]byte, error) {
	if addr == nil {
		return nil, fmt.Errorf("nil fallback address")
	}
	if !addr.IsForNet(net) {
		return nil, fmt.Errorf("fallback address %s is not for %s", addr, net.Name)
	}
	var version byte
	var prog []byte
	switch a := addr.(type) {
	case *btcutil.AddressPubKeyHash:
		version, prog = fallbackP2PKH, a.Hash160()[:]
	case *btcutil.AddressScriptHash:
		version, prog = fallbackP2SH, a.Hash160()[:]
	case interface {
		WitnessVersion() byte
		WitnessProgram() []byte
	}:
		version, prog = a.WitnessVersion(), a.WitnessProgram()
	default:
		return nil, fmt.Errorf("fallback address %s (%T) has no BOLT 11 form", addr, addr)
	}
	if version > 16 && version != fallbackP2PKH && version != fallbackP2SH {
		return nil, fmt.Errorf("fallback address %s has witness version %d", addr, version)
	}
	return append([]byte{version}, to5(prog)...), nil
}

// WitnessAddress is a segwit fallback address of a version btcutil has no
// type for (v2 to v16, or v1 with a program other than 32 bytes). It is
// valid to pay to, so it is decoded rather than skipped; it implements
// btcutil.Address and encodes as bech32m.
type WitnessAddress struct {
	hrp     string
	version byte
	program []byte
}

// WitnessVersion is the segwit version, 1 to 16.
func (a *WitnessAddress) WitnessVersion() byte { return a.version }

// WitnessProgram is a copy of the witness program.
func (a *WitnessAddress) WitnessProgram() []byte { return append([]byte(nil), a.program...) }

// EncodeAddress is the bech32m address (BIP 350: versions 1 and above).
func (a *WitnessAddress) EncodeAddress() string {
	data := append([]byte{a.version}, to5(a.program)...)
	s, err := bech32.EncodeM(a.hrp, data)
	if err != nil {
		return ""
	}
	return s
}

// ScriptAddress is the witness program, as for btcutil's segwit types.
func (a *WitnessAddress) ScriptAddress() []byte { return a.WitnessProgram() }

// IsForNet reports whether the address uses net's segwit prefix.
func (a *WitnessAddress) IsForNet(net *chaincfg.Params) bool {
	return net != nil && net.Bech32HRPSegwit == a.hrp
}

// String is EncodeAddress.
func (a *WitnessAddress) String() string { return a.EncodeAddress() }
