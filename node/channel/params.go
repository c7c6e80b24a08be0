package channel

// Params are the limits one side imposes in open_channel or
// accept_channel. Which commitment or which side each limit binds differs
// per field, so the accessors on State spell it out rather than callers
// indexing Local and Remote by hand.
type Params struct {
	// DustLimitSat applies to the sender's own commitment transactions.
	DustLimitSat int64
	// MaxInFlightMsat caps the HTLC value the other side may offer.
	MaxInFlightMsat uint64
	// ReserveSat is what the other side must keep on its side.
	ReserveSat int64
	// HTLCMinimumMsat is the smallest HTLC the sender accepts.
	HTLCMinimumMsat uint64
	// ToSelfDelay is the CSV delay on the other side's to_local output.
	ToSelfDelay uint16
	// MaxAcceptedHTLCs caps how many HTLCs the other side may offer.
	MaxAcceptedHTLCs uint16
}

// MaxHTLCs is BOLT 2's ceiling on max_accepted_htlcs: a commitment with
// more outputs could not be spent within standardness limits.
const MaxHTLCs = 483

// MaxCltvExpiry bounds cltv_expiry: BOLT 2 requires a block height, and
// values from 500000000 on would be timestamps.
const MaxCltvExpiry = 500000000
