package onion

import (
	"fmt"
	"strings"
)

// FailureCode is a BOLT 4 failure_code: a 2-byte type whose top byte holds
// flags saying how the origin should react.
//
// BOLT 4: The top byte of `failure_code` can be read as a set of flags.
type FailureCode uint16

// The flag bits of a FailureCode.
const (
	// FlagBadOnion marks a code for an onion the receiving node could not
	// parse; it is sent in update_fail_malformed_htlc.
	//
	// BOLT 4: 0x8000 (BADONION): unparsable onion encrypted by sending peer
	FlagBadOnion FailureCode = 0x8000
	// FlagPerm marks a permanent failure (otherwise transient).
	FlagPerm FailureCode = 0x4000
	// FlagNode marks a failure of the node (otherwise of a channel).
	FlagNode FailureCode = 0x2000
	// FlagUpdate marks a failure carrying a channel_update.
	FlagUpdate FailureCode = 0x1000
)

// Every failure_code BOLT 4 defines.
const (
	CodeInvalidRealm                     = FlagPerm | 1
	CodeTemporaryNodeFailure             = FlagNode | 2
	CodePermanentNodeFailure             = FlagPerm | FlagNode | 2
	CodeRequiredNodeFeatureMissing       = FlagPerm | FlagNode | 3
	CodeInvalidOnionVersion              = FlagBadOnion | FlagPerm | 4
	CodeInvalidOnionHMAC                 = FlagBadOnion | FlagPerm | 5
	CodeInvalidOnionKey                  = FlagBadOnion | FlagPerm | 6
	CodeTemporaryChannelFailure          = FlagUpdate | 7
	CodePermanentChannelFailure          = FlagPerm | 8
	CodeRequiredChannelFeatureMissing    = FlagPerm | 9
	CodeUnknownNextPeer                  = FlagPerm | 10
	CodeAmountBelowMinimum               = FlagUpdate | 11
	CodeFeeInsufficient                  = FlagUpdate | 12
	CodeIncorrectCLTVExpiry              = FlagUpdate | 13
	CodeExpiryTooSoon                    = FlagUpdate | 14
	CodeIncorrectOrUnknownPaymentDetails = FlagPerm | 15
	CodeFinalIncorrectCLTVExpiry         = FailureCode(18)
	CodeFinalIncorrectHTLCAmount         = FailureCode(19)
	CodeChannelDisabled                  = FlagUpdate | 20
	CodeExpiryTooFar                     = FailureCode(21)
	CodeInvalidOnionPayload              = FlagPerm | 22
	CodeMPPTimeout                       = FailureCode(23)
	CodeInvalidOnionBlinding             = FlagBadOnion | FlagPerm | 24
)

// codeInfo is what we know about a defined code: its spec name and a
// sentence saying what went wrong, for Failure.Error.
type codeInfo struct {
	name string
	text string
}

// codes lists every defined code; KnownCodes and the decoder's notion of
// "a code we parse" both come from it, so a new code is one line here.
var codes = map[FailureCode]codeInfo{
	CodeInvalidRealm:                     {"invalid_realm", "a node did not understand the onion's realm byte"},
	CodeTemporaryNodeFailure:             {"temporary_node_failure", "a node on the route failed temporarily"},
	CodePermanentNodeFailure:             {"permanent_node_failure", "a node on the route failed permanently"},
	CodeRequiredNodeFeatureMissing:       {"required_node_feature_missing", "a node on the route requires a feature the onion did not include"},
	CodeInvalidOnionVersion:              {"invalid_onion_version", "a node did not understand the onion's version"},
	CodeInvalidOnionHMAC:                 {"invalid_onion_hmac", "the onion's HMAC was wrong when it reached a node"},
	CodeInvalidOnionKey:                  {"invalid_onion_key", "a node could not parse the onion's ephemeral key"},
	CodeTemporaryChannelFailure:          {"temporary_channel_failure", "a channel on the route could not carry the payment"},
	CodePermanentChannelFailure:          {"permanent_channel_failure", "a channel on the route can no longer carry payments"},
	CodeRequiredChannelFeatureMissing:    {"required_channel_feature_missing", "a channel on the route requires a feature the onion did not include"},
	CodeUnknownNextPeer:                  {"unknown_next_peer", "the onion named a channel the node does not have"},
	CodeAmountBelowMinimum:               {"amount_below_minimum", "the amount was below a channel's htlc_minimum_msat"},
	CodeFeeInsufficient:                  {"fee_insufficient", "the fee paid was below what a channel charges"},
	CodeIncorrectCLTVExpiry:              {"incorrect_cltv_expiry", "the expiry did not leave a channel its cltv_expiry_delta"},
	CodeExpiryTooSoon:                    {"expiry_too_soon", "the expiry was too close to the current block height"},
	CodeIncorrectOrUnknownPaymentDetails: {"incorrect_or_unknown_payment_details", "the recipient does not know the payment, or its amount, secret or expiry is wrong"},
	CodeFinalIncorrectCLTVExpiry:         {"final_incorrect_cltv_expiry", "the expiry reaching the recipient was below the one in its onion"},
	CodeFinalIncorrectHTLCAmount:         {"final_incorrect_htlc_amount", "the amount reaching the recipient was below the one in its onion"},
	CodeChannelDisabled:                  {"channel_disabled", "a channel on the route is disabled"},
	CodeExpiryTooFar:                     {"expiry_too_far", "the expiry was too far in the future"},
	CodeInvalidOnionPayload:              {"invalid_onion_payload", "a node could not understand its onion payload"},
	CodeMPPTimeout:                       {"mpp_timeout", "the recipient did not receive every part of the payment in time"},
	CodeInvalidOnionBlinding:             {"invalid_onion_blinding", "an error occurred within a blinded path"},
}

// KnownCodes returns every failure code BOLT 4 defines, in no particular
// order, so tests and callers can walk them all.
func KnownCodes() []FailureCode {
	out := make([]FailureCode, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	return out
}

// Known reports whether BOLT 4 defines c.
func (c FailureCode) Known() bool {
	_, ok := codes[c]
	return ok
}

// String is the spec name ("temporary_channel_failure"), or for a code we
// do not know its number and flags, so a log still says how to treat it.
func (c FailureCode) String() string {
	if info, ok := codes[c]; ok {
		return info.name
	}
	var flags []string
	for _, f := range []struct {
		bit  FailureCode
		name string
	}{{FlagBadOnion, "BADONION"}, {FlagPerm, "PERM"}, {FlagNode, "NODE"}, {FlagUpdate, "UPDATE"}} {
		if c&f.bit != 0 {
			flags = append(flags, f.name)
		}
	}
	if len(flags) == 0 {
		return fmt.Sprintf("unknown_failure_%#04x", uint16(c))
	}
	return fmt.Sprintf("unknown_failure_%#04x(%s)", uint16(c), strings.Join(flags, "|"))
}

// BadOnion reports the BADONION flag.
func (c FailureCode) BadOnion() bool { return c&FlagBadOnion != 0 }

// Permanent reports the PERM flag: retrying the same way will not help.
func (c FailureCode) Permanent() bool { return c&FlagPerm != 0 }

// NodeFailure reports the NODE flag: the whole node failed, not a channel.
func (c FailureCode) NodeFailure() bool { return c&FlagNode != 0 }

// HasUpdate reports the UPDATE flag.
//
// BOLT 4: the `channel_update` field is mandatory in messages whose
// `failure_code` includes the `UPDATE` flag.
func (c FailureCode) HasUpdate() bool { return c&FlagUpdate != 0 }
