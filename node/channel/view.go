package channel

import "fmt"

// view is the content of one commitment: both balances (ours and theirs,
// whichever side holds it), the HTLCs in flight and the fee rate.
type view struct {
	ourMsat, theirMsat int64
	feerate            uint32
	htlcs              []*Update // the adds still in flight
}

// viewOf computes the commitment of holder numbered n from the folded base
// and the updates it includes.
func (s *State) viewOf(holder Side, n uint64) (*view, error) {
	return s.viewWhere(func(u *Update) bool { return u.in(holder, n) })
}

// viewWhere applies, in log order, the updates include selects.
func (s *State) viewWhere(include func(*Update) bool) (*view, error) {
	v := &view{ourMsat: int64(s.BaseLocalMsat), theirMsat: int64(s.BaseRemoteMsat), feerate: s.BaseFeerate}
	removed := map[*Update]bool{}
	for _, u := range s.Updates {
		if !include(u) {
			continue
		}
		switch {
		case u.Kind == KindFee:
			v.feerate = u.Feerate
		case u.Kind == KindAdd:
			v.credit(u.Origin, -int64(u.AmountMsat))
		default:
			add := s.findAdd(u.Origin.other(), u.HTLCID)
			if add == nil || removed[add] || !include(add) {
				return nil, fmt.Errorf("update log: removal of unknown HTLC %d", u.HTLCID)
			}
			removed[add] = true
			if u.Kind == KindFulfill {
				v.credit(u.Origin, int64(add.AmountMsat))
			} else {
				v.credit(add.Origin, int64(add.AmountMsat))
			}
		}
	}
	for _, u := range s.Updates {
		if u.Kind == KindAdd && include(u) && !removed[u] {
			v.htlcs = append(v.htlcs, u)
		}
	}
	if v.ourMsat < 0 || v.theirMsat < 0 {
		return nil, fmt.Errorf("update log: negative balance (%d, %d msat)", v.ourMsat, v.theirMsat)
	}
	return v, nil
}

func (v *view) credit(side Side, msat int64) {
	if side == Local {
		v.ourMsat += msat
	} else {
		v.theirMsat += msat
	}
}

// findAdd returns the add of the HTLC origin offered with id.
func (s *State) findAdd(origin Side, id uint64) *Update {
	for _, u := range s.Updates {
		if u.Kind == KindAdd && u.Origin == origin && u.HTLCID == id {
			return u
		}
	}
	return nil
}
