package onion

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	sphinx "github.com/lightningnetwork/lightning-onion"

	"lnwasm/node/lnwire"
)

// MaxHops is the longest route New builds and a Circuit holds.
//
// BOLT 4, the origin node: SHOULD continue decrypting, until the loop has
// been repeated 20 times.
const MaxHops = 20

// Hop is one node of a route: the key the onion layer is encrypted to and
// the payload that node reads.
type Hop struct {
	PubKey  *btcec.PublicKey
	Payload Payload
}

// Circuit is what the sender keeps of an onion to decrypt a failure later:
// the session key and the hops' node keys, first hop first. It marshals to
// JSON as hex ({"session_key": "…", "hops": ["…", …]}) so a payment in
// flight survives a restart; the session key is secret to the sender.
type Circuit struct {
	SessionKey []byte   // 32-byte session private key
	Hops       [][]byte // 33-byte compressed node keys
}

// New builds an onion for hops (1 to MaxHops) bound to assocData, the
// payment hash. Each payload must follow the writer's rules for its
// position (short_channel_id on every hop but the last, never on the
// last); the last hop is the final node.
//
// BOLT 4: The packet is initialized with 1300 _random_ bytes derived from a
// CSPRNG (ChaCha20). The _pad_ key referenced above is used to extract
// additional random bytes from a ChaCha20 stream. (That is
// sphinx.DeterministicPacketFiller, keyed by the session key, which the
// caller draws at random.)
func New(sessionKey *btcec.PrivateKey, hops []Hop, assocData [32]byte) (packet [lnwire.OnionPacketSize]byte, c *Circuit, err error) {
	if sessionKey == nil {
		return packet, nil, errors.New("onion: no session key")
	}
	if len(hops) == 0 || len(hops) > MaxHops {
		return packet, nil, fmt.Errorf("onion: %d hops, want 1 to %d", len(hops), MaxHops)
	}
	var path sphinx.PaymentPath
	c = &Circuit{SessionKey: sessionKey.Serialize()}
	for i, h := range hops {
		if h.PubKey == nil {
			return packet, nil, fmt.Errorf("onion: hop %d has no node key", i)
		}
		if err := h.Payload.check(i == len(hops)-1, h.Payload.writtenRecords()); err != nil {
			return packet, nil, fmt.Errorf("onion: hop %d: %w", i, err)
		}
		raw, err := h.Payload.Encode()
		if err != nil {
			return packet, nil, fmt.Errorf("onion: hop %d: %w", i, err)
		}
		path[i] = sphinx.OnionHop{
			NodePub:    *h.PubKey,
			HopPayload: sphinx.HopPayload{Type: sphinx.PayloadTLV, Payload: raw},
		}
		c.Hops = append(c.Hops, h.PubKey.SerializeCompressed())
	}
	pkt, err := sphinx.NewOnionPacket(&path, sessionKey, assocData[:], sphinx.DeterministicPacketFiller)
	if err != nil {
		return packet, nil, fmt.Errorf("onion: build: %w", err)
	}
	if err := encodePacket(pkt, &packet); err != nil {
		return packet, nil, err
	}
	return packet, c, nil
}

// encodePacket serializes a sphinx packet into the fixed-size wire array.
func encodePacket(pkt *sphinx.OnionPacket, out *[lnwire.OnionPacketSize]byte) error {
	var buf bytes.Buffer
	if err := pkt.Encode(&buf); err != nil {
		return fmt.Errorf("onion: encode packet: %w", err)
	}
	if buf.Len() != lnwire.OnionPacketSize {
		return fmt.Errorf("onion: packet of %d bytes, want %d", buf.Len(), lnwire.OnionPacketSize)
	}
	copy(out[:], buf.Bytes())
	return nil
}

// sphinx parses the circuit into lightning-onion's form, checking every
// key, so a corrupted stored circuit is an error rather than a wrong
// answer.
func (c *Circuit) sphinx() (*sphinx.Circuit, error) {
	if len(c.SessionKey) != btcec.PrivKeyBytesLen {
		return nil, fmt.Errorf("onion: circuit session key of %d bytes, want %d", len(c.SessionKey), btcec.PrivKeyBytesLen)
	}
	var scalar btcec.ModNScalar
	if overflow := scalar.SetByteSlice(c.SessionKey); overflow || scalar.IsZero() {
		return nil, errors.New("onion: circuit session key is not a valid scalar")
	}
	if len(c.Hops) == 0 || len(c.Hops) > MaxHops {
		return nil, fmt.Errorf("onion: circuit of %d hops, want 1 to %d", len(c.Hops), MaxHops)
	}
	sc := &sphinx.Circuit{SessionKey: btcec.PrivKeyFromScalar(&scalar)}
	for i, b := range c.Hops {
		pub, err := btcec.ParsePubKey(b)
		if err != nil {
			return nil, fmt.Errorf("onion: circuit hop %d: %w", i, err)
		}
		sc.PaymentPath = append(sc.PaymentPath, pub)
	}
	return sc, nil
}

// circuitJSON is Circuit's stored form.
type circuitJSON struct {
	SessionKey string   `json:"session_key"`
	Hops       []string `json:"hops"`
}

// MarshalJSON writes the circuit as hex strings.
func (c Circuit) MarshalJSON() ([]byte, error) {
	j := circuitJSON{SessionKey: hex.EncodeToString(c.SessionKey), Hops: make([]string, len(c.Hops))}
	for i, h := range c.Hops {
		j.Hops[i] = hex.EncodeToString(h)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the hex form and checks every key, so a bad stored
// circuit fails at load, not when a failure comes back.
func (c *Circuit) UnmarshalJSON(b []byte) error {
	var j circuitJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("onion: circuit: %w", err)
	}
	var out Circuit
	var err error
	if out.SessionKey, err = hex.DecodeString(j.SessionKey); err != nil {
		return fmt.Errorf("onion: circuit session key: %w", err)
	}
	for i, h := range j.Hops {
		key, err := hex.DecodeString(h)
		if err != nil {
			return fmt.Errorf("onion: circuit hop %d: %w", i, err)
		}
		out.Hops = append(out.Hops, key)
	}
	if _, err := out.sphinx(); err != nil {
		return err
	}
	*c = out
	return nil
}
