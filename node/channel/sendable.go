package channel

// Sendable is the largest HTLC we could offer now: what the peer's limits,
// our reserve and (as opener) the commitment fee with BOLT 2's spike
// buffer leave. Pathfinding uses it as our channel's capacity, so a route
// is never planned through a first hop that would refuse the add. Zero
// when the channel cannot take an HTLC at all.
func (m *Machine) Sendable() uint64 {
	s := m.st
	if s.Phase != PhaseNormal || s.Close.Sent || s.Close.Received {
		return 0
	}
	fits := func(amt uint64) bool {
		c := s.clone()
		c.Updates = append(c.Updates, &Update{Origin: Local, Kind: KindAdd, HTLCID: c.NextLocalID, AmountMsat: amt})
		return c.checkHTLCLimits(Local) == nil && c.checkFunds(Local, true) == nil
	}
	v, err := s.pendingView()
	if err != nil || v.ourMsat <= 0 {
		return 0
	}
	lo, hi := uint64(0), uint64(v.ourMsat)
	if s.Remote.HTLCMinimumMsat > hi || !fits(max(s.Remote.HTLCMinimumMsat, 1)) {
		return 0
	}
	// Binary search: fits is monotone in the amount (a larger HTLC can
	// only be untrimmed where a smaller one is, and costs more).
	lo = max(s.Remote.HTLCMinimumMsat, 1)
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// Outgoing lists the HTLCs we offered that are not yet removed, committed
// or not: a reloaded payment matches its attempts against them.
func (m *Machine) Outgoing() []*Update {
	var out []*Update
	for _, u := range m.st.Updates {
		if u.Kind != KindAdd || u.Origin != Local {
			continue
		}
		removed := false
		for _, r := range m.st.Updates {
			if r.isRemoval() && r.Origin == Remote && r.HTLCID == u.HTLCID {
				removed = true
			}
		}
		if !removed {
			out = append(out, copyUpdate(u))
		}
	}
	return out
}

// Fulfilled lists the HTLCs we offered that the peer fulfilled and that
// are still in the log, each with its preimage: a reload that lost the
// notification finds the payment's proof here.
func (m *Machine) Fulfilled() []*Update {
	var out []*Update
	for _, r := range m.st.Updates {
		if r.Kind != KindFulfill || r.Origin != Remote {
			continue
		}
		if add := m.st.findAdd(Local, r.HTLCID); add != nil {
			out = append(out, withPreimage(add, r.Preimage))
		}
	}
	return out
}
