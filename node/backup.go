package node

import (
	"encoding/binary"
	"fmt"

	"lnwasm/node/backup"
	"lnwasm/node/channel"
	"lnwasm/node/keys"
	"lnwasm/node/lnwire"
	"lnwasm/node/script"
	"lnwasm/node/store"
)

// snapshot is what a backup is made of, read in one store transaction so
// the seed, the channels and the key index agree.
type snapshot struct {
	sealed    []byte
	birthday  uint32
	nextIndex uint32
	states    []*channel.State
	addrs     map[string]string // peer → address
}

// ExportBackup is lncli exportchanbackup --all with the seed included: the
// encrypted backup file (node/backup) of the wallet's seed and of every
// channel with funds at stake, and how many channels it holds. password
// is the wallet's: opening the sealed seed with it proves the caller may
// have the seed, and it encrypts the file. The wallet may be locked.
func (n *Node) ExportBackup(password string) ([]byte, int, error) {
	snap, err := n.readSnapshot()
	if err != nil {
		return nil, 0, fmt.Errorf("export backup: %w", err)
	}
	if snap.sealed == nil {
		return nil, 0, ErrNoWallet
	}
	entropy, err := keys.DecryptEntropy(snap.sealed, password)
	if err != nil {
		return nil, 0, fmt.Errorf("export backup: %w", err)
	}
	ring, err := ringOf(entropy, n)
	if err != nil {
		return nil, 0, fmt.Errorf("export backup: %w", err)
	}
	f := &backup.File{Chain: *n.cfg.Network.GenesisHash, Entropy: entropy, Birthday: snap.birthday,
		NextKeyIndex: snap.nextIndex, Channels: []backup.Channel{}}
	for _, st := range snap.states {
		if !atStake(st) {
			continue
		}
		rec, err := channelRecord(st, ring, snap.addrs[st.Peer.String()])
		if err != nil {
			return nil, 0, fmt.Errorf("export backup: channel %s: %w", st.FundingOutpoint(), err)
		}
		f.Channels = append(f.Channels, rec)
	}
	data, err := backup.Encrypt(f, password, n.cfg.Scrypt)
	if err != nil {
		return nil, 0, fmt.Errorf("export backup: %w", err)
	}
	n.log.Info("backup exported", "channels", len(f.Channels), "bytes", len(data))
	return data, len(f.Channels), nil
}

// atStake reports a channel whose funding the peer signed for and that
// is not closed: what a restore can still recover.
func atStake(st *channel.State) bool {
	funded := st.Restored || st.LocalSig != (lnwire.Sig{})
	return funded && !st.ID.IsZero() && st.Phase != channel.PhaseClosed
}

func ringOf(entropy []byte, n *Node) (*keys.Ring, error) {
	seed, err := keys.SeedFromEntropy(entropy)
	if err != nil {
		return nil, err
	}
	return keys.NewRing(seed, n.cfg.Network)
}

// readSnapshot reads the sealed seed, the wallet's birthday, the next
// channel key index, every channel and the peers' addresses.
func (n *Node) readSnapshot() (*snapshot, error) {
	s := &snapshot{addrs: map[string]string{}}
	err := n.cfg.Store.View(func(tx store.Tx) error {
		var err error
		if s.sealed, err = tx.Get(bucketWallet, keySealed); err != nil {
			return err
		}
		if s.birthday, err = getU32(tx, bucketWallet, keyBirthday); err != nil {
			return err
		}
		if s.nextIndex, err = getU32(tx, bucketMeta, keyNextIndex); err != nil {
			return err
		}
		if err := tx.ForEach(bucketPeerAddrs, func(k, v []byte) error {
			s.addrs[string(k)] = string(v)
			return nil
		}); err != nil {
			return err
		}
		return tx.ForEach(bucketChannels, func(_, v []byte) error {
			st, err := channel.DecodeState(v)
			if err != nil {
				return err
			}
			s.states = append(s.states, st)
			return nil
		})
	})
	return s, err
}

// channelRecord is a channel's backup record; the funding key it derives
// at the channel's key index lets a restore check the seed.
func channelRecord(st *channel.State, ring *keys.Ring, addr string) (backup.Channel, error) {
	k, err := channel.DeriveLocalKeys(ring, st.KeyIndex)
	if err != nil {
		return backup.Channel{}, err
	}
	p := st.ShellParams()
	rec := backup.Channel{
		ChannelPoint: p.Funding.String(), ShortChannelID: uint64(p.SCID), FundingHeight: p.FundingHeight,
		CapacitySat: p.FundingSat, CommitmentType: backup.TypeStaticRemoteKey, Initiator: p.Opener,
		Announce: p.Announce, Peer: backup.Pubkey(p.Peer), KeyIndex: p.KeyIndex,
		LocalFundingKey: backup.Pubkey(lnwire.NewPoint(k.Funding.PubKey())),
		Local:           backup.Params(p.Local), Remote: backup.Params(p.Remote),
		RemoteKeys: backup.Keys{Funding: backup.Pubkey(p.RemoteKeys.Funding), Revocation: backup.Pubkey(p.RemoteKeys.Revocation),
			Payment: backup.Pubkey(p.RemoteKeys.Payment), Delayed: backup.Pubkey(p.RemoteKeys.Delayed),
			HTLC: backup.Pubkey(p.RemoteKeys.HTLC)},
	}
	if p.Type == script.Anchors {
		rec.CommitmentType = backup.TypeAnchors
	}
	if addr != "" {
		rec.PeerAddrs = []string{addr}
	}
	return rec, nil
}

// getU32 reads a big-endian uint32 (0 when absent).
func getU32(tx store.Tx, bucket, key []byte) (uint32, error) {
	v, err := tx.Get(bucket, key)
	if err != nil || len(v) != 4 {
		return 0, err
	}
	return binary.BigEndian.Uint32(v), nil
}
