package lnwire

import "fmt"

// Satoshi and MilliSatoshi are distinct types because BOLT 2 mixes both in
// one message (funding_satoshis beside push_msat) and confusing them is a
// factor-of-1000 bug the compiler can catch.
//
// BOLT 1 bounds amounts ("satoshi amounts MUST be at most
// 0x000775f05a074000"), but as a sender requirement; decoding does not
// enforce it, because peers put UINT64_MAX in fields such as
// max_htlc_value_in_flight_msat to mean "no limit". Channel logic checks the
// amounts it relies on.
type (
	// Satoshi is an amount in satoshis.
	Satoshi uint64
	// MilliSatoshi is an amount in thousandths of a satoshi.
	MilliSatoshi uint64
)

// String formats the amount with its unit, for logs.
func (s Satoshi) String() string { return fmt.Sprintf("%d sat", uint64(s)) }

// String formats the amount with its unit, for logs.
func (m MilliSatoshi) String() string { return fmt.Sprintf("%d msat", uint64(m)) }

// ToMilliSatoshi converts exactly; it is the caller's job to keep s within
// the 21 million BTC bound so that it cannot overflow.
func (s Satoshi) ToMilliSatoshi() MilliSatoshi { return MilliSatoshi(s * 1000) }

// ToSatoshi rounds down, as BOLT 3 does when it turns HTLC amounts into
// outputs.
func (m MilliSatoshi) ToSatoshi() Satoshi { return Satoshi(m / 1000) }
