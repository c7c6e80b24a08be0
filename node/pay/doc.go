// Package pay runs a payment's whole life: check the invoice, find a
// route, build the onion, hand the HTLC to a channel, read the result,
// learn from a failure and retry on another route, split a payment that
// no single route can carry into parts (basic multi-part payments), and
// report the outcome.
//
// A payment is keyed by its payment hash and stored before any HTLC
// leaves, so paying the same invoice twice never pays twice and a reload
// finds every payment in flight. Each attempt (one HTLC along one route)
// is stored with the onion's circuit, so a failure that arrives after a
// restart can still be decrypted.
//
// It does not own channels or the graph: the host (package node) offers
// HTLCs through the Channels interface and reports each HTLC's outcome
// with Settled and Failed. It does not decode invoices either (package
// invoice does), nor decide whether to accept incoming HTLCs.
package pay
