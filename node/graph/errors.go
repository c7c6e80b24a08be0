package graph

import "errors"

// The graph's errors. Each is returned wrapped, with the message naming the
// short_channel_id or node concerned, so callers test them with errors.Is.
var (
	// ErrBadSignature: a gossip signature does not verify. BOLT 7 says the
	// receiver SHOULD send a warning, MAY close the connection and MUST
	// ignore the message; the graph ignores it and the host decides the
	// rest.
	ErrBadSignature = errors.New("bad signature")
	// ErrUnknownChannel: a channel_update for a channel the graph has no
	// announcement for. The caller may keep it until the announcement
	// arrives (Syncer does).
	ErrUnknownChannel = errors.New("unknown channel")
	// ErrUnknownNode: a node_announcement for a node without a channel,
	// which BOLT 7 says to ignore ("to avoid trivial denial of service
	// attacks, nodes not associated with an already known channel are
	// ignored").
	ErrUnknownNode = errors.New("unknown node")
	// ErrStale: the message is not newer than what the graph holds.
	ErrStale = errors.New("not newer than the stored one")
	// ErrWrongChain: the message is for another chain.
	ErrWrongChain = errors.New("wrong chain")
	// ErrInvalid: the message breaks a BOLT 7 rule other than its
	// signature (node ids out of order, zero timestamp) or is too large
	// for the graph to keep.
	ErrInvalid = errors.New("invalid gossip")
	// ErrFull: the graph holds MaxChannels channels or MaxNodes nodes and
	// refuses more; without a funding-output check, this is what stops a
	// peer from filling memory with fake channels.
	ErrFull = errors.New("graph is full")
	// ErrNoRoute: FindRoute found no path; the message says why when it is
	// obvious.
	ErrNoRoute = errors.New("no route")
	// ErrProtocol: a peer broke the gossip query protocol (a reply to a
	// query we did not send). The host may warn or disconnect the peer.
	ErrProtocol = errors.New("gossip query protocol violation")
)
