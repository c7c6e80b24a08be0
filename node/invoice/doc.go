// Package invoice reads and writes BOLT 11 payment requests and keeps the
// registry of the invoices this node issues.
//
// It owns:
//
//   - The BOLT 11 codec: Decode checks the bech32 checksum (without BIP
//     173's 90-character limit), the human-readable prefix and amount, every
//     tagged field and the signature, and returns an Invoice whose Payee is
//     always known (from the `n` field or recovered from the signature).
//     Encode writes an Invoice back and signs it through a callback, so the
//     node key never has to enter this package. A decoded invoice keeps the
//     order of its fields and every field it skipped or did not know, so it
//     re-encodes to the same string.
//   - The reader requirements of BOLT 11: unknown even feature bits, missing
//     feature dependencies, a missing payment hash or payment secret and a
//     wrong amount are errors; unknown fields and fields of the wrong length
//     are skipped as the spec says.
//   - Registry: the invoices we issued, with their preimages, keyed by
//     payment hash in a store.Store, and their OPEN/SETTLED/CANCELED state.
//
// It does not own: deciding whether an incoming HTLC may settle an invoice
// (amount, expiry, CLTV and payment secret checks are the payment
// handler's), paying an invoice or routing to its payee, generating
// preimages, or the node key. Every error from Decode wraps ErrInvalid;
// a prefix for another network also wraps ErrWrongNetwork.
package invoice
