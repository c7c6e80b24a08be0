package channel

import (
	"errors"
	"fmt"
)

// Policy is what we ask of a peer and what we accept from one. The
// defaults are chosen for a client that is offline most of the time.
type Policy struct {
	// DustLimitSat is our commitments' dust limit.
	DustLimitSat int64
	// ToSelfDelay is the delay we impose on the peer's to_local: how long
	// we have to notice and punish a revoked commitment. A browser tab may
	// stay closed for days, so it is two weeks of blocks.
	ToSelfDelay uint16
	// MaxAcceptedHTLCs and HTLCMinimumMsat bound the HTLCs the peer offers.
	MaxAcceptedHTLCs uint16
	HTLCMinimumMsat  uint64
	// MinDepth is the confirmations we wait for as accepter.
	MinDepth uint32
	// ReservePermille is the reserve we ask the peer to keep, per mille of
	// the capacity (lnd's default is 1%).
	ReservePermille int64

	// MaxRemoteDelay is the longest to_self_delay we let the peer impose on
	// our funds.
	MaxRemoteDelay uint16
	// MaxMinDepth is the most confirmations we accept to wait for.
	MaxMinDepth uint32
	// MaxReservePermille is the largest reserve we accept to keep.
	MaxReservePermille int64
	// MinFundingSat is the smallest channel we open or accept.
	MinFundingSat int64
	// MaxDustLimitSat is the highest dust limit we accept from the peer:
	// above it too much of an HTLC could vanish into fees.
	MaxDustLimitSat int64
	// MinFeerate and MaxFeerate bound the feerate_per_kw we accept.
	MinFeerate, MaxFeerate uint32
}

// DefaultPolicy is the policy a wallet user gets.
func DefaultPolicy() Policy {
	return Policy{
		DustLimitSat:       354,
		ToSelfDelay:        2016,
		MaxAcceptedHTLCs:   MaxHTLCs,
		HTLCMinimumMsat:    1,
		MinDepth:           3,
		ReservePermille:    10,
		MaxRemoteDelay:     2016,
		MaxMinDepth:        12,
		MaxReservePermille: 200,
		MinFundingSat:      20000,
		MaxDustLimitSat:    5000,
		MinFeerate:         253,
		MaxFeerate:         250000,
	}
}

// ErrUnsafeParams reports channel parameters our policy refuses; the
// message names the parameter.
var ErrUnsafeParams = errors.New("channel parameters refused")

// ours returns the Params we send for a channel of capacity fundingSat.
func (p Policy) ours(fundingSat int64) Params {
	reserve := fundingSat * p.ReservePermille / 1000
	if reserve < p.DustLimitSat {
		reserve = p.DustLimitSat
	}
	return Params{
		DustLimitSat:     p.DustLimitSat,
		MaxInFlightMsat:  uint64(fundingSat) * 1000,
		ReserveSat:       reserve,
		HTLCMinimumMsat:  p.HTLCMinimumMsat,
		ToSelfDelay:      p.ToSelfDelay,
		MaxAcceptedHTLCs: p.MaxAcceptedHTLCs,
	}
}

// checkTheirs validates the peer's Params for a channel of capacity
// fundingSat in which we keep ourReserve... it is BOLT 2's list of
// "MUST fail the channel if" for open_channel and accept_channel, plus our
// own limits.
func (p Policy) checkTheirs(theirs, ours Params, fundingSat int64) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrUnsafeParams, fmt.Sprintf(format, a...))
	}
	switch {
	// BOLT 2: "dust_limit_satoshis is smaller than 354 satoshis"
	case theirs.DustLimitSat < 354:
		return bad("dust_limit_satoshis %d is below 354", theirs.DustLimitSat)
	case theirs.DustLimitSat > p.MaxDustLimitSat:
		return bad("dust_limit_satoshis %d is above our limit %d", theirs.DustLimitSat, p.MaxDustLimitSat)
	// BOLT 2: "max_accepted_htlcs is greater than 483"
	case theirs.MaxAcceptedHTLCs > MaxHTLCs:
		return bad("max_accepted_htlcs %d is above 483", theirs.MaxAcceptedHTLCs)
	case theirs.MaxAcceptedHTLCs == 0:
		return bad("max_accepted_htlcs is 0: no payment could ever be sent")
	// BOLT 2: "to_self_delay is unreasonably large"
	case theirs.ToSelfDelay > p.MaxRemoteDelay:
		return bad("to_self_delay %d is above our limit %d", theirs.ToSelfDelay, p.MaxRemoteDelay)
	// BOLT 2: "channel_reserve_satoshis is less than dust_limit_satoshis"
	// in either direction.
	case theirs.ReserveSat < ours.DustLimitSat:
		return bad("channel_reserve_satoshis %d is below our dust limit %d", theirs.ReserveSat, ours.DustLimitSat)
	case ours.ReserveSat < theirs.DustLimitSat:
		return bad("our reserve %d is below their dust_limit_satoshis %d", ours.ReserveSat, theirs.DustLimitSat)
	case theirs.ReserveSat*1000 > fundingSat*p.MaxReservePermille:
		return bad("channel_reserve_satoshis %d is more than %d‰ of %d", theirs.ReserveSat, p.MaxReservePermille, fundingSat)
	// BOLT 2: "htlc_minimum_msat is unreasonably large"
	case theirs.HTLCMinimumMsat > uint64(fundingSat)*1000/100:
		return bad("htlc_minimum_msat %d is over 1%% of the channel", theirs.HTLCMinimumMsat)
	// BOLT 2: "max_htlc_value_in_flight_msat is unreasonably small"
	case theirs.MaxInFlightMsat < uint64(fundingSat)*1000/100:
		return bad("max_htlc_value_in_flight_msat %d is under 1%% of the channel", theirs.MaxInFlightMsat)
	}
	return nil
}

// checkFeerate is BOLT 2's "feerate_per_kw is unreasonably large" and the
// relay floor below which a commitment would never propagate.
func (p Policy) checkFeerate(rate uint32) error {
	if rate < p.MinFeerate || rate > p.MaxFeerate {
		return fmt.Errorf("%w: feerate_per_kw %d outside [%d, %d]", ErrUnsafeParams, rate, p.MinFeerate, p.MaxFeerate)
	}
	return nil
}
