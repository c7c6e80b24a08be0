package lnwire

// FeatureBytes is a feature bitmap kept exactly as it arrived, leading zero
// bytes included. Signed gossip carries its features this way rather than as
// a FeatureVector (which is canonical, so it drops leading zeros): a node
// that padded its bitmap signed the padding, and relaying or verifying the
// message needs those bytes back.
//
// BOLT 7 (channel_announcement), the origin node: MUST set `len` to the
// minimum length required to hold the `features` bits it sets. That binds
// the sender only; a receiver keeps whatever it was given.
type FeatureBytes []byte

// NewFeatureBytes is the minimal encoding of f, what a sender should put in
// an announcement it builds.
func NewFeatureBytes(f FeatureVector) FeatureBytes { return FeatureBytes(f.Encode()) }

// Vector decodes the bits.
func (b FeatureBytes) Vector() FeatureVector { return DecodeFeatureVector(b) }
