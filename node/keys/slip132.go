package keys

import (
	"github.com/btcsuite/btcd/chaincfg"
)

// hdVersion is a pair of BIP32 serialization version bytes.
type hdVersion struct{ pub, priv [4]byte }

// slip132Versions are SLIP-0132's registered version bytes for the account
// kinds that have them (satoshilabs/slips slip-0132.md): zpub/zprv and
// vpub/vprv for P2WPKH, ypub/yprv and upub/uprv for P2WPKH in P2SH. Index 0
// is mainnet, 1 every test network. BIP86 registers none: taproot
// descriptors carry the script type, and wallets export a plain xpub.
var slip132Versions = map[AccountKind][2]hdVersion{
	AccountP2WPKH: {
		{pub: [4]byte{0x04, 0xb2, 0x47, 0x46}, priv: [4]byte{0x04, 0xb2, 0x43, 0x0c}},
		{pub: [4]byte{0x04, 0x5f, 0x1c, 0xf6}, priv: [4]byte{0x04, 0x5f, 0x18, 0xbc}},
	},
	AccountNP2WPKH: {
		{pub: [4]byte{0x04, 0x9d, 0x7c, 0xb2}, priv: [4]byte{0x04, 0x9d, 0x78, 0x78}},
		{pub: [4]byte{0x04, 0x4a, 0x52, 0x62}, priv: [4]byte{0x04, 0x4a, 0x4e, 0x28}},
	},
}

// slip132Version is the version pair an account's keys serialize under for
// SLIP-0132: the registered one, or the network's plain BIP32 pair.
func slip132Version(kind AccountKind, net *chaincfg.Params) hdVersion {
	if v, ok := slip132Versions[kind]; ok {
		return v[coinType(net)]
	}
	return hdVersion{pub: net.HDPublicKeyID, priv: net.HDPrivateKeyID}
}

// SLIP132Pub is the account's extended public key under SLIP-0132 version
// bytes, the form wallets importing a single-script account expect: zpub
// (vpub on test networks) for BIP84, ypub (upub) for BIP49, and for BIP86,
// which has no registered bytes, the same xpub (tpub) as XPub.
func (a *Account) SLIP132Pub() string {
	v := slip132Version(a.kind, a.net)
	k, _ := a.xpub.CloneWithVersion(v.pub[:]) // fails only for a version not 4 bytes long
	return k.String()
}
