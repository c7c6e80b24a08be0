package onion

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	sphinx "github.com/lightningnetwork/lightning-onion"

	"lnwasm/node/lnwire"
)

// Peeled is what a receiving node learns from an onion.
type Peeled struct {
	Payload *Payload
	// Final says we are the last hop: the HMAC for the next one is zero.
	Final bool
	// Next is the packet to forward (zero when Final).
	Next [lnwire.OnionPacketSize]byte
	// SharedSecret is kept with the HTLC to encrypt a failure back.
	SharedSecret [32]byte
}

// MalformedError is an onion we could not process at all; the caller
// answers it with update_fail_malformed_htlc carrying Code and OnionHash
// (the sha256 of the whole packet).
type MalformedError struct {
	Code      FailureCode
	OnionHash [32]byte
}

// Error names the code and the packet's hash.
func (e *MalformedError) Error() string {
	return fmt.Sprintf("onion: malformed: %s (sha256_of_onion %x)", e.Code, e.OnionHash[:])
}

// Failure is the failure message the upstream node builds from our
// update_fail_malformed_htlc and encrypts back to the sender.
func (e *MalformedError) Failure() *Failure {
	return &Failure{Code: e.Code, OnionHash: e.OnionHash}
}

// malformedCodes maps lightning-onion's errors for an unusable packet to
// their failure codes.
//
// BOLT 4: A _forwarding node_ MAY, but a _final node_ MUST NOT: if the
// onion `version` byte is unknown: return an `invalid_onion_version`
// error. if the onion HMAC is incorrect: return an `invalid_onion_hmac`
// error. if the ephemeral key in the onion is unparsable: return an
// `invalid_onion_key` error. (A node cannot know it is final before the
// HMAC checks, so these are what every node can send.)
var malformedCodes = []struct {
	err  error
	code FailureCode
}{
	{sphinx.ErrInvalidOnionVersion, CodeInvalidOnionVersion},
	{sphinx.ErrInvalidOnionHMAC, CodeInvalidOnionHMAC},
	{sphinx.ErrInvalidOnionKey, CodeInvalidOnionKey},
}

// asMalformed returns the MalformedError for err, or nil if err is not one
// of lightning-onion's packet errors.
func asMalformed(err error, packet *[lnwire.OnionPacketSize]byte) *MalformedError {
	for _, m := range malformedCodes {
		if errors.Is(err, m.err) {
			return &MalformedError{Code: m.code, OnionHash: sha256.Sum256(packet[:])}
		}
	}
	return nil
}

// Peel processes an incoming onion with our node key. A bad version, HMAC
// or ephemeral key returns a *MalformedError. A payload that does not
// parse, or breaks the reader rules, returns an error holding a *Failure
// with CodeInvalidOnionPayload (find it with errors.As) that also matches
// ErrInvalidPayload, together with a Peeled holding only the shared
// secret, to encrypt that failure back.
//
// incomingCLTV is recorded in a replay log that lives only for this call:
// replay protection is the caller's, by payment hash.
//
// BOLT 4: if the per-hop payload in the onion is invalid (e.g. it is not a
// valid tlv stream) or is missing required information (e.g. the amount
// was not specified): return an `invalid_onion_payload` error.
func Peel(nodeKey *btcec.PrivateKey, packet [lnwire.OnionPacketSize]byte, assocData [32]byte, incomingCLTV uint32) (*Peeled, error) {
	if nodeKey == nil {
		return nil, errors.New("onion: no node key")
	}
	var pkt sphinx.OnionPacket
	if err := pkt.Decode(bytes.NewReader(packet[:])); err != nil {
		if m := asMalformed(err, &packet); m != nil {
			return nil, m
		}
		return nil, fmt.Errorf("onion: decode packet: %w", err)
	}
	ecdh := &sphinx.PrivKeyECDH{PrivKey: nodeKey}
	processed, err := process(ecdh, &pkt, assocData, incomingCLTV)
	if err != nil {
		if m := asMalformed(err, &packet); m != nil {
			return nil, m
		}
	}
	secret, serr := ecdh.ECDH(pkt.EphemeralKey)
	if serr != nil {
		return nil, fmt.Errorf("onion: shared secret: %w", serr)
	}
	if err != nil {
		// The HMAC held, so whatever lightning-onion could not read
		// (a non-minimal length, the retired legacy format) was the
		// sender's payload. The shared secret comes back with the
		// error so the caller can encrypt invalid_onion_payload.
		return &Peeled{SharedSecret: secret}, payloadFailure(&PayloadError{Reason: err.Error()})
	}
	return peeled(processed, secret)
}

// process runs lightning-onion's router over the packet with a fresh
// in-memory replay log.
func process(ecdh *sphinx.PrivKeyECDH, pkt *sphinx.OnionPacket, assocData [32]byte, incomingCLTV uint32) (*sphinx.ProcessedPacket, error) {
	router := sphinx.NewRouter(ecdh, sphinx.NewMemoryReplayLog())
	if err := router.Start(); err != nil {
		return nil, fmt.Errorf("onion: start router: %w", err)
	}
	defer router.Stop()
	return router.ProcessOnionPacket(pkt, assocData[:], incomingCLTV)
}

// peeled decodes the hop payload of a processed packet and assembles the
// result.
//
// BOLT 4: A special `hmac` value of 32 `0x00`-bytes indicates that the
// currently processing hop is the intended recipient and that the packet
// should not be forwarded.
func peeled(processed *sphinx.ProcessedPacket, secret [32]byte) (*Peeled, error) {
	hop := processed.Payload
	// BOLT 4: Since no `payload` TLV value can ever be shorter than 2
	// bytes, `length` values of 0 and 1 are reserved. (`0` indicated a
	// legacy format no longer supported, and `1` is reserved for future
	// use).
	if hop.Type != sphinx.PayloadTLV {
		return &Peeled{SharedSecret: secret}, payloadFailure(&PayloadError{Reason: "legacy hop_data is no longer supported"})
	}
	if hop.NumBytes() > hopPayloadsSize {
		return &Peeled{SharedSecret: secret}, payloadFailure(&PayloadError{Reason: fmt.Sprintf("payload of %d bytes overruns hop_payloads", len(hop.Payload))})
	}
	final := processed.Action == sphinx.ExitNode
	payload, err := DecodePayload(hop.Payload, final)
	if err != nil {
		return &Peeled{SharedSecret: secret}, payloadFailure(err)
	}
	out := &Peeled{Payload: payload, Final: final, SharedSecret: secret}
	if !final {
		if err := encodePacket(processed.NextPacket, &out.Next); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// payloadFailure wraps a payload error with the invalid_onion_payload
// failure to send back, narrowed to the record at fault when known.
func payloadFailure(err error) error {
	f := &Failure{Code: CodeInvalidOnionPayload}
	var pe *PayloadError
	if errors.As(err, &pe) {
		f.Type, f.Offset = pe.Type, pe.Offset
	}
	return fmt.Errorf("onion: %w: %w", f, err)
}
