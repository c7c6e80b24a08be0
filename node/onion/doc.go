// Package onion builds and peels BOLT 4 onions and reads and writes the
// failure messages that travel back along them.
//
// It owns:
//
//   - Payload: one hop's tlv_payload (amt_to_forward, outgoing_cltv_value,
//     short_channel_id, payment_data, payment_metadata and unknown odd
//     records), its encoding, and the BOLT 4 reader rules that decide
//     whether an incoming payload is acceptable (DecodePayload).
//   - The Sphinx calls: New turns a route of hops into the 1366-byte
//     onion_routing_packet plus the Circuit the sender keeps (JSON-safe, so
//     a payment in flight survives a restart); Peel processes an incoming
//     packet with our node key and says what to do with it, or which
//     failure to send back (a MalformedError for update_fail_malformed_htlc,
//     an invalid_onion_payload Failure otherwise).
//   - Failure messages: every failure_code BOLT 4 defines, their data
//     (channel_update included, with or without its 0x0102 prefix), the
//     padded and HMAC'd return packet (EncryptFailure), the re-obfuscation
//     by each hop on the way back (WrapFailure), and decryption at the
//     origin, which names the erring hop (Circuit.DecryptFailure).
//
// It does not own: choosing a route or reacting to a failure (routing
// decisions), checking an incoming HTLC's amount and expiry against its
// payload, forwarding it or replay protection by payment hash (HTLC
// switching), or the Sphinx cryptography itself, which is
// github.com/lightningnetwork/lightning-onion's. Route blinding is not
// supported: a payload carrying its records is refused.
package onion
