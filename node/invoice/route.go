package invoice

import (
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"lnwasm/node/lnwire"
)

// hopLen is one `r` entry in bytes: pubkey 33, short_channel_id 8,
// fee_base_msat 4, fee_proportional_millionths 4, cltv_expiry_delta 2.
const hopLen = 33 + 8 + 4 + 4 + 2

// maxHopsPerRoute is the most entries one `r` field holds: 12 hops are 612
// bytes, 980 values; 13 would pass the 1023-value data_length.
const maxHopsPerRoute = maxFieldLen * 5 / 8 / hopLen

// parseRoute reads one `r` field: a private route of one or more hops.
//
// BOLT 11: `r` (3): `data_length` variable. One or more entries containing
// extra routing information for a private route; there may be more than
// one `r` field: `pubkey` (264 bits), `short_channel_id` (64 bits),
// `fee_base_msat` (32 bits, big-endian), `fee_proportional_millionths` (32
// bits, big-endian), `cltv_expiry_delta` (16 bits, big-endian)
func parseRoute(data []byte) ([]HopHint, error) {
	b, err := from5(data)
	if err != nil {
		return nil, fieldErrorf(tagRoute, "%v", err)
	}
	if len(b) == 0 || len(b)%hopLen != 0 {
		return nil, fieldErrorf(tagRoute, "%d bytes is not a whole number of %d-byte hops", len(b), hopLen)
	}
	route := make([]HopHint, 0, len(b)/hopLen)
	for i := 0; i < len(b); i += hopLen {
		h := b[i : i+hopLen]
		key, err := btcec.ParsePubKey(h[:33])
		if err != nil {
			return nil, fieldErrorf(tagRoute, "hop %d: not a public key: %v", i/hopLen, err)
		}
		route = append(route, HopHint{
			NodeID:                    key,
			ShortChannelID:            lnwire.ShortChannelID(binary.BigEndian.Uint64(h[33:41])),
			FeeBaseMsat:               binary.BigEndian.Uint32(h[41:45]),
			FeeProportionalMillionths: binary.BigEndian.Uint32(h[45:49]),
			CLTVExpiryDelta:           binary.BigEndian.Uint16(h[49:51]),
		})
	}
	return route, nil
}

// encodeRoute is the 5-bit data of one `r` field.
//
// BOLT 11, a writer: `r` field MUST contain one or more ordered entries,
// indicating the forward route from a public node to the final
// destination.
func encodeRoute(route []HopHint) ([]byte, error) {
	if len(route) == 0 || len(route) > maxHopsPerRoute {
		return nil, fmt.Errorf("route hint has %d hops, want 1 to %d", len(route), maxHopsPerRoute)
	}
	b := make([]byte, 0, len(route)*hopLen)
	for i, h := range route {
		if h.NodeID == nil {
			return nil, fmt.Errorf("route hint hop %d has no node ID", i)
		}
		b = append(b, h.NodeID.SerializeCompressed()...)
		b = binary.BigEndian.AppendUint64(b, uint64(h.ShortChannelID))
		b = binary.BigEndian.AppendUint32(b, h.FeeBaseMsat)
		b = binary.BigEndian.AppendUint32(b, h.FeeProportionalMillionths)
		b = binary.BigEndian.AppendUint16(b, h.CLTVExpiryDelta)
	}
	return to5(b), nil
}
