package lnwire

import "slices"

// msgInfo is one row of the type table: the BOLT name and a constructor for
// an empty message to decode into.
type msgInfo struct {
	name string
	new  func() Message
}

// registry is the one place ReadMessage learns which types exist. A new
// message is its own file (type constant, struct, Encode, Decode) plus one
// line here.
var registry = map[MessageType]msgInfo{
	// BOLT 1: setup and control.
	MsgWarning: {"warning", func() Message { return new(Warning) }},
	MsgInit:    {"init", func() Message { return new(Init) }},
	MsgError:   {"error", func() Message { return new(Error) }},
	MsgPing:    {"ping", func() Message { return new(Ping) }},
	MsgPong:    {"pong", func() Message { return new(Pong) }},

	// BOLT 2: channel establishment v1 and close.
	MsgOpenChannel:    {"open_channel", func() Message { return new(OpenChannel) }},
	MsgAcceptChannel:  {"accept_channel", func() Message { return new(AcceptChannel) }},
	MsgFundingCreated: {"funding_created", func() Message { return new(FundingCreated) }},
	MsgFundingSigned:  {"funding_signed", func() Message { return new(FundingSigned) }},
	MsgChannelReady:   {"channel_ready", func() Message { return new(ChannelReady) }},
	MsgShutdown:       {"shutdown", func() Message { return new(Shutdown) }},
	MsgClosingSigned:  {"closing_signed", func() Message { return new(ClosingSigned) }},

	// BOLT 2: normal operation and reestablishment.
	MsgUpdateAddHTLC:           {"update_add_htlc", func() Message { return new(UpdateAddHTLC) }},
	MsgUpdateFulfillHTLC:       {"update_fulfill_htlc", func() Message { return new(UpdateFulfillHTLC) }},
	MsgUpdateFailHTLC:          {"update_fail_htlc", func() Message { return new(UpdateFailHTLC) }},
	MsgCommitmentSigned:        {"commitment_signed", func() Message { return new(CommitmentSigned) }},
	MsgRevokeAndAck:            {"revoke_and_ack", func() Message { return new(RevokeAndAck) }},
	MsgUpdateFee:               {"update_fee", func() Message { return new(UpdateFee) }},
	MsgUpdateFailMalformedHTLC: {"update_fail_malformed_htlc", func() Message { return new(UpdateFailMalformedHTLC) }},
	MsgChannelReestablish:      {"channel_reestablish", func() Message { return new(ChannelReestablish) }},

	// BOLT 7: gossip, and the queries that sync it.
	MsgChannelAnnouncement:     {"channel_announcement", func() Message { return new(ChannelAnnouncement) }},
	MsgNodeAnnouncement:        {"node_announcement", func() Message { return new(NodeAnnouncement) }},
	MsgChannelUpdate:           {"channel_update", func() Message { return new(ChannelUpdate) }},
	MsgAnnouncementSignatures:  {"announcement_signatures", func() Message { return new(AnnouncementSignatures) }},
	MsgQueryShortChannelIDs:    {"query_short_channel_ids", func() Message { return new(QueryShortChannelIDs) }},
	MsgReplyShortChannelIDsEnd: {"reply_short_channel_ids_end", func() Message { return new(ReplyShortChannelIDsEnd) }},
	MsgQueryChannelRange:       {"query_channel_range", func() Message { return new(QueryChannelRange) }},
	MsgReplyChannelRange:       {"reply_channel_range", func() Message { return new(ReplyChannelRange) }},
	MsgGossipTimestampFilter:   {"gossip_timestamp_filter", func() Message { return new(GossipTimestampFilter) }},
}

// KnownTypes lists every message type ReadMessage decodes, so that tests
// (and the peer layer) can range over them without repeating the table.
func KnownTypes() []MessageType {
	types := make([]MessageType, 0, len(registry))
	for t := range registry {
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}
