// Package graph is the node's view of the public Lightning network: the
// BOLT 7 gossip it accepts (graph.go, validate.go), keeps (persist.go) and
// forgets (prune.go), the per-peer gossip query exchange that fills it
// (sync.go), and the payment route search over it (route.go, search.go,
// mission.go).
//
// It owns:
//
//   - Graph: channels and nodes learnt from channel_announcement,
//     channel_update and node_announcement, each accepted only once its
//     signatures verify, its chain hash is ours and its timestamp is newer
//     than what is stored. Nodes are interned to int32 indices and
//     channels kept in flat slices with adjacency lists, so 50,000 channels
//     take about 10 MB and a route search indexes slices in its inner loop
//     (maps only for the request's exclusions and Mission's results, keyed
//     by int32 pairs). A Graph is safe for concurrent use: one Syncer per
//     peer may feed it while payments search it.
//   - Persistence in buckets prefixed "graph-" of a store.Store, written
//     only by Flush: every Add changes memory and marks records dirty, and
//     the host calls Flush after a sync batch (or on a timer), so that a
//     whole batch costs one store transaction (one IndexedDB round trip in
//     the browser) instead of one per message. Gossip lost by a crash before
//     Flush is simply fetched again from peers.
//   - Syncer: the sans-I/O state machine of the gossip queries with one
//     peer (query_channel_range, query_short_channel_ids,
//     gossip_timestamp_filter). It takes messages and the time, returns the
//     messages to send, and keeps a bounded set of channel_updates and
//     node_announcements that arrived before their channel_announcement.
//   - FindRoute and Mission: a Dijkstra search from the target back to the
//     source that computes each hop's amount and CLTV exactly as BOLT 7's
//     fee formula and cltv_expiry_delta say, weighing fees, the time funds
//     may be locked, and the success probability Mission estimates from
//     earlier attempts.
//
// It does not own:
//
//   - The funding output check. BOLT 7 asks a receiver to ignore a
//     channel_announcement whose short_channel_id does not point at an
//     unspent P2WSH output for bitcoin_key_1 and bitcoin_key_2. A light
//     client has no UTXO set to look that up in, so the graph trusts the
//     four signatures alone: a peer can announce channels that do not exist
//     (they cost it nothing but fail when used), and capacities stay unknown
//     (0) unless the host learns them and calls SetCapacity. The Max* bounds
//     keep such fake gossip from growing the graph without limit.
//   - Relaying gossip. The graph keeps the facts of each message, not the
//     message and its signatures, so it cannot and does not forward gossip:
//     peers' queries get empty answers (reply_channel_range with no ids,
//     reply_short_channel_ids_end with full_information 0) and their
//     gossip_timestamp_filter is ignored.
//   - Private channels. Our own channels enter a search as
//     RouteRequest.LocalEdges and invoice route hints as
//     RouteRequest.Hints; the graph itself holds only announced channels.
//   - Onions, HTLCs, the chain and the network: the host turns a Route
//     into onion payloads, feeds failures back into Mission (and a failure's
//     channel_update into ApplyFailureUpdate), watches channel closes, and
//     moves the Syncer's messages.
//
// Protocol logic does no I/O, starts no goroutine and reads no clock: the
// current time comes in as an argument, which is also what makes it
// testable.
package graph
