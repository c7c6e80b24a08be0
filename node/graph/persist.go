package graph

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// The graph's buckets. A channel record holds both policies, so an update
// rewrites one 140-byte value; a node record exists only for nodes that
// announced themselves (the others are implied by their channels).
var (
	bucketMeta  = []byte("graph-meta")
	bucketChans = []byte("graph-chan")
	bucketNodes = []byte("graph-node")
	keyChain    = []byte("chain")
)

// dirtySet is what changed since the last Flush, by key: a key whose
// channel or node is gone from memory is deleted from the store.
type dirtySet struct {
	chans map[lnwire.ShortChannelID]struct{}
	nodes map[[33]byte]struct{}
	meta  bool
}

// newDirtySet is an empty dirtySet.
func newDirtySet() dirtySet {
	return dirtySet{chans: map[lnwire.ShortChannelID]struct{}{}, nodes: map[[33]byte]struct{}{}}
}

// Unflushed is how many channel and node records Flush would write; the
// host may flush when it grows past a batch size.
func (g *Graph) Unflushed() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.dirty.chans) + len(g.dirty.nodes)
}

// write is one Put (value non-nil) or Delete.
type write struct {
	bucket, key, value []byte
}

// Flush writes every change since the last Flush in one store transaction.
// The records are encoded under the lock and written after it, so gossip
// and route searches go on while the store works; if the write fails, the
// changes stay marked for the next Flush.
func (g *Graph) Flush() error {
	g.mu.Lock()
	batch := g.dirtyWrites()
	taken := g.dirty
	g.dirty = newDirtySet()
	g.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := g.st.Update(func(tx store.Tx) error {
		for _, w := range batch {
			var err error
			if w.value == nil {
				err = tx.Delete(w.bucket, w.key)
			} else {
				err = tx.Put(w.bucket, w.key, w.value)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		g.mu.Lock()
		g.dirty.merge(taken)
		g.mu.Unlock()
		return fmt.Errorf("graph: flush %d records: %w", len(batch), err)
	}
	return nil
}

// merge adds o's keys back, after a failed Flush.
func (d *dirtySet) merge(o dirtySet) {
	for k := range o.chans {
		d.chans[k] = struct{}{}
	}
	for k := range o.nodes {
		d.nodes[k] = struct{}{}
	}
	d.meta = d.meta || o.meta
}

// dirtyWrites encodes the dirty records; the caller holds mu.
func (g *Graph) dirtyWrites() []write {
	var batch []write
	if g.dirty.meta {
		batch = append(batch, write{bucketMeta, keyChain, g.chain[:]})
	}
	for scid := range g.dirty.chans {
		w := write{bucket: bucketChans, key: binary.BigEndian.AppendUint64(nil, uint64(scid))}
		if ci, ok := g.chanIdx[scid]; ok {
			w.value = g.encodeChannel(&g.chans[ci])
		}
		batch = append(batch, w)
	}
	for id := range g.dirty.nodes {
		w := write{bucket: bucketNodes, key: append([]byte(nil), id[:]...)}
		if ni, ok := g.nodeIdx[id]; ok && g.nodes[ni].info != nil {
			w.value = encodeNodeInfo(g.nodes[ni].info)
		}
		batch = append(batch, w)
	}
	return batch
}

// load reads the persisted graph into the empty g. A record that does not
// decode is skipped and marked for deletion: the graph is a cache of public
// gossip, which the next sync fetches again.
func (g *Graph) load() error {
	err := g.st.View(func(tx store.Tx) error {
		chain, err := tx.Get(bucketMeta, keyChain)
		if err != nil {
			return err
		}
		if chain == nil {
			g.dirty.meta = true
		} else if string(chain) != string(g.chain[:]) {
			return fmt.Errorf("store holds the graph of chain %x: %w", chain, ErrWrongChain)
		}
		if err := tx.ForEach(bucketChans, g.loadChannel); err != nil {
			return err
		}
		return tx.ForEach(bucketNodes, g.loadNode)
	})
	if err != nil {
		return fmt.Errorf("graph: load: %w", err)
	}
	return nil
}

// loadChannel is the ForEach callback for one channel record.
func (g *Graph) loadChannel(k, v []byte) error {
	scid, rec, err := decodeChannel(k, v)
	if err == nil && len(g.chans) >= MaxChannels {
		err = ErrFull
	}
	if err != nil {
		if len(k) == 8 {
			g.dirty.chans[lnwire.ShortChannelID(binary.BigEndian.Uint64(k))] = struct{}{}
		}
		return nil
	}
	if _, dup := g.chanIdx[scid]; dup {
		return nil
	}
	ci := g.addChannel(scid, rec.n1, rec.n2, rec.capSat, rec.noRoute)
	g.chans[ci].pol = rec.pol
	return nil
}

// loadNode is the ForEach callback for one node record.
func (g *Graph) loadNode(k, v []byte) error {
	var id [33]byte
	if len(k) != len(id) {
		return nil // not a key Flush writes; nothing we can name to delete
	}
	copy(id[:], k)
	ni, ok := g.nodeIdx[id]
	info, err := decodeNodeInfo(v)
	if !ok || err != nil {
		g.dirty.nodes[id] = struct{}{}
		return nil
	}
	g.nodes[ni].info, g.nodes[ni].noTransit = info, hasUnknownRequired(info.features)
	return nil
}

// chanRecordSize is version, node ids, capacity, flags and two policies.
const (
	chanRecordSize   = 1 + 33 + 33 + 8 + 1 + 2*policyRecordSize
	policyRecordSize = 32
	recordVersion    = 1
)

// encodeChannel is a channel's record; the caller holds mu.
func (g *Graph) encodeChannel(c *chanRec) []byte {
	b := make([]byte, 0, chanRecordSize)
	b = append(b, recordVersion)
	b = append(b, g.nodes[c.n[0]].id[:]...)
	b = append(b, g.nodes[c.n[1]].id[:]...)
	b = binary.BigEndian.AppendUint64(b, c.capSat)
	b = append(b, boolByte(c.noRoute))
	for _, p := range c.pol {
		b = append(b, boolByte(p.ts != 0), boolByte(p.disabled))
		b = binary.BigEndian.AppendUint32(b, p.ts)
		b = binary.BigEndian.AppendUint16(b, p.cltvDelta)
		b = binary.BigEndian.AppendUint64(b, p.htlcMin)
		b = binary.BigEndian.AppendUint64(b, p.htlcMax)
		b = binary.BigEndian.AppendUint32(b, p.feeBase)
		b = binary.BigEndian.AppendUint32(b, p.feeProp)
	}
	return b
}

// storedChannel is a decoded channel record.
type storedChannel struct {
	n1, n2  [33]byte
	capSat  uint64
	noRoute bool
	pol     [2]policyRec
}

// decodeChannel parses a channel record and its key.
func decodeChannel(k, v []byte) (lnwire.ShortChannelID, storedChannel, error) {
	var rec storedChannel
	if len(k) != 8 || len(v) != chanRecordSize || v[0] != recordVersion {
		return 0, rec, errors.New("malformed channel record")
	}
	copy(rec.n1[:], v[1:34])
	copy(rec.n2[:], v[34:67])
	if bytes.Compare(rec.n1[:], rec.n2[:]) >= 0 {
		return 0, rec, errors.New("channel record with unordered node ids")
	}
	rec.capSat = binary.BigEndian.Uint64(v[67:])
	// SetCapacity's bound: a larger capacity overflows in msat when a
	// route search weighs the channel.
	if rec.capSat > maxCapacitySat {
		return 0, rec, errors.New("channel record with a capacity over all bitcoin")
	}
	rec.noRoute = v[75] != 0
	for d := range rec.pol {
		p := v[76+d*policyRecordSize:]
		// A policy with timestamp 0 is none (policyRec), whatever its
		// flag says, and is kept as the zero policyRec that means none.
		if p[0] == 0 || binary.BigEndian.Uint32(p[2:]) == 0 {
			continue
		}
		rec.pol[d] = policyRec{
			disabled: p[1] != 0, ts: binary.BigEndian.Uint32(p[2:]),
			cltvDelta: binary.BigEndian.Uint16(p[6:]),
			htlcMin:   binary.BigEndian.Uint64(p[8:]), htlcMax: binary.BigEndian.Uint64(p[16:]),
			feeBase: binary.BigEndian.Uint32(p[24:]), feeProp: binary.BigEndian.Uint32(p[28:]),
		}
	}
	return lnwire.ShortChannelID(binary.BigEndian.Uint64(k)), rec, nil
}

// boolByte is a flag byte of a record.
func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
