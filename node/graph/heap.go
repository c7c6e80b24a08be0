package graph

// heapItem is a queued node and its distance when queued.
type heapItem struct {
	dist float64
	node int32
}

// minHeap is a binary min-heap on dist. The search pushes a node again
// when it finds it cheaper and skips the stale entry on pop, which is
// simpler and, on sparse graphs, as fast as decrease-key.
type minHeap struct{ items []heapItem }

// len is the number of entries, stale ones included.
func (h *minHeap) len() int { return len(h.items) }

// push queues node at dist.
func (h *minHeap) push(node int32, dist float64) {
	h.items = append(h.items, heapItem{dist, node})
	i := len(h.items) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if h.items[parent].dist <= h.items[i].dist {
			break
		}
		h.items[parent], h.items[i] = h.items[i], h.items[parent]
		i = parent
	}
}

// pop removes the entry of least dist; the heap must not be empty.
func (h *minHeap) pop() (int32, float64) {
	top := h.items[0]
	last := len(h.items) - 1
	h.items[0] = h.items[last]
	h.items = h.items[:last]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < last && h.items[l].dist < h.items[m].dist {
			m = l
		}
		if r < last && h.items[r].dist < h.items[m].dist {
			m = r
		}
		if m == i {
			break
		}
		h.items[m], h.items[i] = h.items[i], h.items[m]
		i = m
	}
	return top.node, top.dist
}
