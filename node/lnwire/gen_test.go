package lnwire

import (
	"math/rand/v2"
	"slices"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// gen builds random valid messages for the property tests and the fuzz
// seeds. Empty slices are always nil, as decoding gives them, so that a
// generated message and its decoding compare equal.
type gen struct {
	r *rand.Rand
	// bare leaves out every optional TLV and unknown record, which gives
	// the fixed part of a message for truncation tests.
	bare bool
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// pointPool holds valid points; deriving a fresh key per field would make
// the property tests slow under -race for no extra coverage.
var pointPool = func() []Point {
	pool := make([]Point, 16)
	for i := range pool {
		var k [32]byte
		k[0], k[31] = byte(i+1), 7
		_, pub := btcec.PrivKeyFromBytes(k[:])
		pool[i] = NewPoint(pub)
	}
	return pool
}()

func (g *gen) u16() uint16 { return uint16(g.r.Uint32()) }
func (g *gen) u32() uint32 { return g.r.Uint32() }
func (g *gen) u64() uint64 { return g.r.Uint64() }
func (g *gen) bit() bool   { return g.r.IntN(2) == 0 }

func (g *gen) bytes(n int) []byte {
	if n == 0 {
		return nil
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return b
}

func (g *gen) varBytes(maxLen int) []byte { return g.bytes(g.r.IntN(maxLen + 1)) }

func (g *gen) b32() (v [32]byte) {
	copy(v[:], g.bytes(32))
	return v
}

func (g *gen) hash() chainhash.Hash { return chainhash.Hash(g.b32()) }
func (g *gen) chanID() ChannelID    { return ChannelID(g.b32()) }
func (g *gen) point() Point         { return pointPool[g.r.IntN(len(pointPool))] }

func (g *gen) sig() (s Sig) {
	copy(s[:], g.bytes(SigSize))
	return s
}

func (g *gen) features() FeatureVector {
	var f FeatureVector
	for i := g.r.IntN(8); i > 0; i-- {
		f.Set(FeatureBit(g.r.IntN(120)))
	}
	return f
}

// opt makes an Optional that is present half the time (never when bare).
func opt[T any](g *gen, v func() T) Optional[T] {
	if g.bare || g.bit() {
		return Optional[T]{}
	}
	return Some(v())
}

// extra makes up to three unknown odd records, avoiding the message's known
// types and spreading types over every BigSize width.
func (g *gen) extra(known ...uint64) TLVRecords {
	if g.bare {
		return nil
	}
	var types []uint64
	for i := g.r.IntN(4); i > 0; i-- {
		var t uint64
		switch g.r.IntN(3) {
		case 0:
			t = uint64(g.r.IntN(300))
		case 1:
			t = uint64(g.r.Uint32())
		default:
			t = g.r.Uint64()
		}
		t |= 1
		if !slices.Contains(known, t) && !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	slices.Sort(types)
	var recs TLVRecords
	for _, t := range types {
		recs = append(recs, TLVRecord{Type: t, Value: g.varBytes(40)})
	}
	return recs
}

func (g *gen) keys() ChannelKeys {
	return ChannelKeys{
		FundingPubkey: g.point(), RevocationBasepoint: g.point(),
		PaymentBasepoint: g.point(), DelayedPaymentBasepoint: g.point(),
		HTLCBasepoint: g.point(), FirstPerCommitmentPoint: g.point(),
	}
}

func (g *gen) openingTLVs() OpeningTLVs {
	return OpeningTLVs{
		UpfrontShutdownScript: opt(g, func() []byte { return g.varBytes(34) }),
		ChannelType:           opt(g, g.features),
		Extra:                 g.extra(0, 1),
	}
}

// featureBytes is a minimal feature bitmap, sometimes padded with leading
// zero bytes as a sloppy (but validly signed) sender might.
func (g *gen) featureBytes() FeatureBytes {
	b := g.features().Encode()
	if g.r.IntN(4) == 0 {
		b = append(make([]byte, 1+g.r.IntN(2)), b...)
	}
	return FeatureBytes(b)
}

func (g *gen) scids(maxN int) []ShortChannelID {
	var ids []ShortChannelID
	for i := g.r.IntN(maxN + 1); i > 0; i-- {
		ids = append(ids, ShortChannelID(g.u64()))
	}
	return ids
}

// netAddress is a random descriptor of a known type.
func (g *gen) netAddress() NetAddress {
	t := AddressType(1 + g.r.IntN(5))
	n, fixed := addrSizes[t]
	if !fixed {
		n = g.r.IntN(256)
	}
	return NetAddress{Type: t, Addr: g.bytes(n), Port: g.u16()}
}

// addresses is up to four known descriptors and, sometimes, unknown bytes
// after them that start with an unknown type (0 or above 5).
func (g *gen) addresses() ([]NetAddress, []byte) {
	var addrs []NetAddress
	for i := g.r.IntN(5); i > 0; i-- {
		addrs = append(addrs, g.netAddress())
	}
	if g.bit() {
		return addrs, nil
	}
	t := byte(g.r.IntN(251))
	if t != 0 {
		t += 5
	}
	return addrs, append([]byte{t}, g.varBytes(20)...)
}

func (g *gen) nodeAnnouncement() *NodeAnnouncement {
	m := &NodeAnnouncement{
		Signature: g.sig(), Features: g.featureBytes(), Timestamp: g.u32(),
		NodeID: g.point(), Alias: NodeAlias(g.b32()), Extra: g.extra(),
	}
	copy(m.RGBColor[:], g.bytes(3))
	m.Addresses, m.UnknownAddresses = g.addresses()
	return m
}

// pairs makes n (u32, u32) pairs, nil for none.
func pairs[T ~u32Pair](g *gen, n int) []T {
	var v []T
	for i := 0; i < n; i++ {
		v = append(v, T(u32Pair{Node1: g.u32(), Node2: g.u32()}))
	}
	return v
}

func (g *gen) replyChannelRange() *ReplyChannelRange {
	m := &ReplyChannelRange{
		ChainHash: g.hash(), FirstBlocknum: g.u32(), NumberOfBlocks: g.u32(),
		SyncComplete: g.bit(), ShortChannelIDs: g.scids(20), Extra: g.extra(1, 3),
	}
	n := len(m.ShortChannelIDs)
	m.Timestamps = opt(g, func() []UpdateTimestamps { return pairs[UpdateTimestamps](g, n) })
	m.Checksums = opt(g, func() []UpdateChecksums { return pairs[UpdateChecksums](g, n) })
	return m
}

// generators has one entry per registered type; TestEveryTypeHasGenerator
// keeps it complete.
var generators = map[MessageType]func(g *gen) Message{
	MsgWarning: func(g *gen) Message {
		return &Warning{ChannelID: g.chanID(), Data: g.varBytes(80), Extra: g.extra()}
	},
	MsgInit: func(g *gen) Message {
		return &Init{
			GlobalFeatures: g.features(), Features: g.features(),
			Networks: opt(g, func() []chainhash.Hash {
				var hs []chainhash.Hash
				for i := g.r.IntN(3); i > 0; i-- {
					hs = append(hs, g.hash())
				}
				return hs
			}),
			RemoteAddr: opt(g, func() []byte { return g.varBytes(19) }),
			Extra:      g.extra(1, 3),
		}
	},
	MsgError: func(g *gen) Message {
		return &Error{ChannelID: g.chanID(), Data: g.varBytes(80), Extra: g.extra()}
	},
	MsgPing: func(g *gen) Message {
		return &Ping{NumPongBytes: g.u16(), Ignored: g.varBytes(64), Extra: g.extra()}
	},
	MsgPong: func(g *gen) Message {
		return &Pong{Ignored: g.varBytes(64), Extra: g.extra()}
	},
	MsgOpenChannel: func(g *gen) Message {
		return &OpenChannel{
			ChainHash: g.hash(), TemporaryChannelID: g.chanID(),
			FundingSatoshis: Satoshi(g.u64()), PushMsat: MilliSatoshi(g.u64()),
			DustLimitSatoshis:        Satoshi(g.u64()),
			MaxHTLCValueInFlightMsat: MilliSatoshi(g.u64()),
			ChannelReserveSatoshis:   Satoshi(g.u64()),
			HTLCMinimumMsat:          MilliSatoshi(g.u64()),
			FeeratePerKw:             g.u32(), ToSelfDelay: g.u16(), MaxAcceptedHTLCs: g.u16(),
			ChannelKeys: g.keys(), ChannelFlags: byte(g.u16()), OpeningTLVs: g.openingTLVs(),
		}
	},
	MsgAcceptChannel: func(g *gen) Message {
		return &AcceptChannel{
			TemporaryChannelID: g.chanID(), DustLimitSatoshis: Satoshi(g.u64()),
			MaxHTLCValueInFlightMsat: MilliSatoshi(g.u64()),
			ChannelReserveSatoshis:   Satoshi(g.u64()),
			HTLCMinimumMsat:          MilliSatoshi(g.u64()),
			MinimumDepth:             g.u32(), ToSelfDelay: g.u16(), MaxAcceptedHTLCs: g.u16(),
			ChannelKeys: g.keys(), OpeningTLVs: g.openingTLVs(),
		}
	},
	MsgFundingCreated: func(g *gen) Message {
		return &FundingCreated{
			TemporaryChannelID: g.chanID(), FundingTxID: g.hash(),
			FundingOutputIndex: g.u16(), Signature: g.sig(), Extra: g.extra(),
		}
	},
	MsgFundingSigned: func(g *gen) Message {
		return &FundingSigned{ChannelID: g.chanID(), Signature: g.sig(), Extra: g.extra()}
	},
	MsgChannelReady: func(g *gen) Message {
		return &ChannelReady{
			ChannelID: g.chanID(), SecondPerCommitmentPoint: g.point(),
			Alias: opt(g, func() ShortChannelID { return ShortChannelID(g.u64()) }),
			Extra: g.extra(1),
		}
	},
	MsgShutdown: func(g *gen) Message {
		return &Shutdown{ChannelID: g.chanID(), ScriptPubKey: g.varBytes(42), Extra: g.extra()}
	},
	MsgClosingSigned: func(g *gen) Message {
		return &ClosingSigned{
			ChannelID: g.chanID(), FeeSatoshis: Satoshi(g.u64()), Signature: g.sig(),
			FeeRange: opt(g, func() FeeRange {
				return FeeRange{MinFeeSatoshis: Satoshi(g.u64()), MaxFeeSatoshis: Satoshi(g.u64())}
			}),
			Extra: g.extra(1),
		}
	},
	MsgUpdateAddHTLC: func(g *gen) Message {
		m := &UpdateAddHTLC{
			ChannelID: g.chanID(), ID: g.u64(), AmountMsat: MilliSatoshi(g.u64()),
			PaymentHash: g.b32(), CLTVExpiry: g.u32(),
			PathKey: opt(g, g.point), Extra: g.extra(0),
		}
		copy(m.OnionRoutingPacket[:], g.bytes(OnionPacketSize))
		return m
	},
	MsgUpdateFulfillHTLC: func(g *gen) Message {
		return &UpdateFulfillHTLC{ChannelID: g.chanID(), ID: g.u64(), PaymentPreimage: g.b32(), Extra: g.extra()}
	},
	MsgUpdateFailHTLC: func(g *gen) Message {
		return &UpdateFailHTLC{ChannelID: g.chanID(), ID: g.u64(), Reason: g.varBytes(300), Extra: g.extra()}
	},
	MsgCommitmentSigned: func(g *gen) Message {
		m := &CommitmentSigned{ChannelID: g.chanID(), Signature: g.sig(), Extra: g.extra()}
		for i := g.r.IntN(6); i > 0; i-- {
			m.HTLCSignatures = append(m.HTLCSignatures, g.sig())
		}
		return m
	},
	MsgRevokeAndAck: func(g *gen) Message {
		return &RevokeAndAck{
			ChannelID: g.chanID(), PerCommitmentSecret: g.b32(),
			NextPerCommitmentPoint: g.point(), Extra: g.extra(),
		}
	},
	MsgUpdateFee: func(g *gen) Message {
		return &UpdateFee{ChannelID: g.chanID(), FeeratePerKw: g.u32(), Extra: g.extra()}
	},
	MsgUpdateFailMalformedHTLC: func(g *gen) Message {
		return &UpdateFailMalformedHTLC{
			ChannelID: g.chanID(), ID: g.u64(), SHA256OfOnion: g.b32(),
			FailureCode: g.u16(), Extra: g.extra(),
		}
	},
	MsgChannelReestablish: func(g *gen) Message {
		return &ChannelReestablish{
			ChannelID: g.chanID(), NextCommitmentNumber: g.u64(), NextRevocationNumber: g.u64(),
			YourLastPerCommitmentSecret: g.b32(), MyCurrentPerCommitmentPoint: g.point(),
			NextFundingTxID: opt(g, g.hash), Extra: g.extra(0),
		}
	},
	MsgChannelAnnouncement: func(g *gen) Message {
		return &ChannelAnnouncement{
			NodeSignature1: g.sig(), NodeSignature2: g.sig(),
			BitcoinSignature1: g.sig(), BitcoinSignature2: g.sig(),
			Features: g.featureBytes(), ChainHash: g.hash(), ShortChannelID: ShortChannelID(g.u64()),
			NodeID1: g.point(), NodeID2: g.point(), BitcoinKey1: g.point(), BitcoinKey2: g.point(),
			Extra: g.extra(),
		}
	},
	MsgNodeAnnouncement: func(g *gen) Message { return g.nodeAnnouncement() },
	MsgChannelUpdate: func(g *gen) Message {
		return &ChannelUpdate{
			Signature: g.sig(), ChainHash: g.hash(), ShortChannelID: ShortChannelID(g.u64()),
			Timestamp: g.u32(), MessageFlags: UpdateMsgFlags(g.u16()), ChannelFlags: UpdateChanFlags(g.u16()),
			CLTVExpiryDelta: g.u16(), HTLCMinimumMsat: MilliSatoshi(g.u64()),
			FeeBaseMsat: g.u32(), FeeProportionalMillionths: g.u32(),
			HTLCMaximumMsat: MilliSatoshi(g.u64()), Extra: g.extra(),
		}
	},
	MsgAnnouncementSignatures: func(g *gen) Message {
		return &AnnouncementSignatures{
			ChannelID: g.chanID(), ShortChannelID: ShortChannelID(g.u64()),
			NodeSignature: g.sig(), BitcoinSignature: g.sig(), Extra: g.extra(),
		}
	},
	MsgQueryShortChannelIDs: func(g *gen) Message {
		m := &QueryShortChannelIDs{ChainHash: g.hash(), ShortChannelIDs: g.scids(20), Extra: g.extra(1)}
		m.QueryFlags = opt(g, func() []QueryFlag {
			var flags []QueryFlag
			for range m.ShortChannelIDs {
				// Flags of every BigSize width, not only the one-byte ones
				// BOLT 7 defines today.
				flags = append(flags, QueryFlag(g.u64()>>(8*g.r.IntN(8))))
			}
			return flags
		})
		return m
	},
	MsgReplyShortChannelIDsEnd: func(g *gen) Message {
		return &ReplyShortChannelIDsEnd{ChainHash: g.hash(), FullInformation: g.bit(), Extra: g.extra()}
	},
	MsgQueryChannelRange: func(g *gen) Message {
		return &QueryChannelRange{
			ChainHash: g.hash(), FirstBlocknum: g.u32(), NumberOfBlocks: g.u32(),
			QueryOption: opt(g, func() QueryOption { return QueryOption(g.u64() >> (8 * g.r.IntN(8))) }),
			Extra:       g.extra(1),
		}
	},
	MsgReplyChannelRange: func(g *gen) Message { return g.replyChannelRange() },
	MsgGossipTimestampFilter: func(g *gen) Message {
		return &GossipTimestampFilter{
			ChainHash: g.hash(), FirstTimestamp: g.u32(), TimestampRange: g.u32(), Extra: g.extra(),
		}
	},
}
