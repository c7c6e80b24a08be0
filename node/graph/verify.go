package graph

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/node/lnwire"
)

// verifySig checks that sig is key's signature of hash, wrapping
// ErrBadSignature with the field's name when it is not.
func verifySig(field string, sig lnwire.Sig, hash chainhash.Hash, key lnwire.Point) error {
	pk, err := key.PubKey()
	if err != nil {
		return fmt.Errorf("%s: key: %v: %w", field, err, ErrBadSignature)
	}
	s, err := parseSig(sig)
	if err != nil {
		return fmt.Errorf("%s: %v: %w", field, err, ErrBadSignature)
	}
	if !s.Verify(hash[:], pk) {
		return fmt.Errorf("%s does not verify: %w", field, ErrBadSignature)
	}
	return nil
}

// parseSig unpacks a compact signature, accepting a high S by negating it:
// unlike lnwire.Sig.ToECDSA, which guards what we sign and receive in
// channels, gossip may have been malleated by a relay.
//
// BOLT 7 (channel_update rationale): ECDSA signatures are malleable. So,
// an intermediate node who received the `channel_update` message can
// rebroadcast it just by changing the `s` component of signature with
// `-s`. This should however not result in the blacklist of the `node_id`
// from where the message originated.
func parseSig(sig lnwire.Sig) (*ecdsa.Signature, error) {
	var r, s btcec.ModNScalar
	if r.SetByteSlice(sig[:32]) || r.IsZero() {
		return nil, fmt.Errorf("R out of range")
	}
	if s.SetByteSlice(sig[32:]) || s.IsZero() {
		return nil, fmt.Errorf("S out of range")
	}
	if s.IsOverHalfOrder() {
		s.Negate()
	}
	return ecdsa.NewSignature(&r, &s), nil
}

// signedHash is lnwire.SignedHash with the message named on failure.
func signedHash(m lnwire.Signed) (chainhash.Hash, error) {
	h, err := lnwire.SignedHash(m)
	if err != nil {
		return h, fmt.Errorf("%s: %v: %w", m.Type(), err, ErrInvalid)
	}
	return h, nil
}

// knownRequired are the even feature bits BOLT 9 defines (as lnwire names
// them). A node or channel requiring any other bit asks for something this
// node cannot know it provides.
var knownRequired = map[lnwire.FeatureBit]bool{
	lnwire.DataLossProtectRequired: true, lnwire.UpfrontShutdownScriptRequired: true,
	lnwire.GossipQueriesRequired: true, lnwire.VarOnionOptinRequired: true,
	lnwire.GossipQueriesExRequired: true, lnwire.StaticRemoteKeyRequired: true,
	lnwire.PaymentSecretRequired: true, lnwire.BasicMPPRequired: true,
	lnwire.LargeChannelsRequired: true, lnwire.AnchorOutputsRequired: true,
	lnwire.AnchorsZeroFeeHTLCTxRequired: true, lnwire.RouteBlindingRequired: true,
	lnwire.ShutdownAnySegwitRequired: true, lnwire.DualFundRequired: true,
	lnwire.QuiesceRequired: true, lnwire.AttributionDataRequired: true,
	lnwire.OnionMessagesRequired: true, lnwire.ProvideStorageRequired: true,
	lnwire.ChannelTypeRequired: true, lnwire.ScidAliasRequired: true,
	lnwire.PaymentMetadataRequired: true, lnwire.ZeroConfRequired: true,
	lnwire.SimpleCloseRequired: true, lnwire.SpliceRequired: true,
}

// hasUnknownRequired reports an even bit outside knownRequired.
//
// BOLT 7: if there is an unknown even bit in the `features` field: MUST
// NOT attempt to route messages through the channel. [node_announcement]
// if `features` field contains _unknown even bits_: [...] MUST NOT route a
// payment _through_ the node.
func hasUnknownRequired(f lnwire.FeatureVector) bool {
	for b := range f.All() {
		if b.IsRequired() && !knownRequired[b] {
			return true
		}
	}
	return false
}

// VerifyChannelUpdate checks that node signed u. The host uses it for the
// channel_update a peer sends about our private channel, which has no
// announcement in the graph to name its nodes.
func VerifyChannelUpdate(u *lnwire.ChannelUpdate, node lnwire.Point) error {
	h, err := signedHash(u)
	if err != nil {
		return err
	}
	return verifySig("channel_update signature", u.Signature, h, node)
}
