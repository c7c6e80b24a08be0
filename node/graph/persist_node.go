package graph

import (
	"encoding/binary"
	"errors"

	"lnwasm/node/lnwire"
)

// encodeNodeInfo is a node record: version, timestamp, color, alias,
// features (u16 length), then the addresses (count, and per address type,
// length, bytes, port). Addresses are at most maxAddresses of at most 255
// bytes (lnwire's bound for a hostname), so single-byte lengths suffice.
func encodeNodeInfo(n *nodeInfo) []byte {
	f := n.features.Encode()
	b := make([]byte, 0, 1+4+3+32+2+len(f)+1+len(n.addrs)*24)
	b = append(b, recordVersion)
	b = binary.BigEndian.AppendUint32(b, n.ts)
	b = append(b, n.color[:]...)
	b = append(b, n.alias[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(f)))
	b = append(b, f...)
	b = append(b, byte(len(n.addrs)))
	for _, a := range n.addrs {
		b = append(b, byte(a.Type), byte(len(a.Addr)))
		b = append(b, a.Addr...)
		b = binary.BigEndian.AppendUint16(b, a.Port)
	}
	return b
}

// errNodeRecord is any node record that does not parse.
var errNodeRecord = errors.New("malformed node record")

// recordReader is a cursor over a record that remembers running short.
type recordReader struct {
	b   []byte
	bad bool
}

// take returns the next n bytes, or n zero bytes once the record is
// short, so that decoding runs to the end and checks r.bad once.
func (r *recordReader) take(n int) []byte {
	if r.bad || n > len(r.b) {
		r.bad = true
		return make([]byte, n)
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// decodeNodeInfo parses encodeNodeInfo's output.
func decodeNodeInfo(v []byte) (*nodeInfo, error) {
	r := &recordReader{b: v}
	if r.take(1)[0] != recordVersion {
		return nil, errNodeRecord
	}
	n := &nodeInfo{ts: binary.BigEndian.Uint32(r.take(4))}
	copy(n.color[:], r.take(3))
	copy(n.alias[:], r.take(32))
	flen := int(binary.BigEndian.Uint16(r.take(2)))
	if flen > maxFeatureBytes {
		return nil, errNodeRecord
	}
	n.features = lnwire.DecodeFeatureVector(r.take(flen))
	count := int(r.take(1)[0])
	if count > maxAddresses {
		return nil, errNodeRecord
	}
	for i := 0; i < count && !r.bad; i++ {
		typ := lnwire.AddressType(r.take(1)[0])
		addr := append([]byte(nil), r.take(int(r.take(1)[0]))...)
		port := binary.BigEndian.Uint16(r.take(2))
		n.addrs = append(n.addrs, lnwire.NetAddress{Type: typ, Addr: addr, Port: port})
	}
	if r.bad || len(r.b) != 0 {
		return nil, errNodeRecord
	}
	return n, nil
}
