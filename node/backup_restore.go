package node

import (
	"encoding/binary"
	"errors"
	"fmt"

	"lnwasm/node/backup"
	"lnwasm/node/channel"
	"lnwasm/node/keys"
	"lnwasm/node/lnwire"
	"lnwasm/node/script"
	"lnwasm/node/store"
)

// ErrBackupNetwork refuses a backup made on another network.
var ErrBackupNetwork = errors.New("the backup is for another network")

// shell is one restored channel ready to store.
type shell struct {
	st   *channel.State
	raw  []byte
	addr string
}

// RestoreWallet is lncli create with a static channel backup: it opens
// file with backupPassword, creates the wallet from the seed in it sealed
// under password, stores a recovery record for each channel (failed, data
// loss, Restored: it never signs or broadcasts a commitment) and unlocks.
// Once unlocked the node dials each channel's peer and asks it to close
// (channel_reestablish with next_commitment_number 0), then sweeps our
// output of the peer's commitment. It returns how many channels it
// restored. Everything is stored in one transaction: a wrong password or
// a bad file leaves the store as it was.
func (n *Node) RestoreWallet(password string, file []byte, backupPassword string) (int, error) {
	if len(password) < minPassword {
		return 0, ErrWeakPassword
	}
	if has, err := n.HasWallet(); err != nil || has {
		if err == nil {
			err = ErrWalletExists
		}
		return 0, fmt.Errorf("restore wallet: %w", err)
	}
	f, err := backup.Decrypt(file, backupPassword)
	if err != nil {
		return 0, fmt.Errorf("restore wallet: %w", err)
	}
	if f.Chain != *n.cfg.Network.GenesisHash {
		return 0, fmt.Errorf("restore wallet: %w (genesis %s, this node runs %s)", ErrBackupNetwork, f.Chain, n.cfg.Network.Name)
	}
	shells, err := n.shellsOf(f)
	if err != nil {
		return 0, fmt.Errorf("restore wallet: %w", err)
	}
	sealed, err := keys.EncryptEntropy(f.Entropy, password, n.cfg.Scrypt)
	if err != nil {
		return 0, fmt.Errorf("restore wallet: %w", err)
	}
	err = n.cfg.Store.Update(func(tx store.Tx) error { return writeRestore(tx, f, sealed, shells) })
	if err != nil {
		return 0, fmt.Errorf("restore wallet: store the wallet and %d channels: %w", len(shells), err)
	}
	n.log.Warn("wallet restored from a backup; asking each channel's peer to close", "channels", len(shells))
	if err := n.unlockWith(f.Entropy); err != nil {
		return 0, err
	}
	return len(shells), nil
}

// shellsOf builds every channel's recovery record, checking that the
// seed derives the funding key the backup recorded.
func (n *Node) shellsOf(f *backup.File) ([]shell, error) {
	ring, err := ringOf(f.Entropy, n)
	if err != nil {
		return nil, err
	}
	out := make([]shell, 0, len(f.Channels))
	for i := range f.Channels {
		sh, err := shellOf(&f.Channels[i], f, ring)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", f.Channels[i].ChannelPoint, err)
		}
		out = append(out, sh)
	}
	return out, nil
}

func shellOf(c *backup.Channel, f *backup.File, ring *keys.Ring) (shell, error) {
	k, err := channel.DeriveLocalKeys(ring, c.KeyIndex)
	if err != nil {
		return shell{}, err
	}
	if lnwire.NewPoint(k.Funding.PubKey()) != lnwire.Point(c.LocalFundingKey) {
		return shell{}, fmt.Errorf("%w: the seed does not derive the channel's funding key at index %d", backup.ErrCorrupt, c.KeyIndex)
	}
	op, err := c.Outpoint()
	if err != nil {
		return shell{}, err
	}
	typ := script.StaticRemoteKey
	if c.CommitmentType == backup.TypeAnchors {
		typ = script.Anchors
	}
	st, err := channel.NewShell(channel.ShellParams{
		Chain: f.Chain, Peer: lnwire.Point(c.Peer), Funding: op, FundingSat: c.CapacitySat,
		SCID: lnwire.ShortChannelID(c.ShortChannelID), FundingHeight: c.FundingHeight, Type: typ,
		Opener: c.Initiator, Announce: c.Announce, KeyIndex: c.KeyIndex,
		Local: channel.Params(c.Local), Remote: channel.Params(c.Remote),
		RemoteKeys: channel.RemoteKeys{Funding: lnwire.Point(c.RemoteKeys.Funding),
			Revocation: lnwire.Point(c.RemoteKeys.Revocation), Payment: lnwire.Point(c.RemoteKeys.Payment),
			Delayed: lnwire.Point(c.RemoteKeys.Delayed), HTLC: lnwire.Point(c.RemoteKeys.HTLC)},
	}, k)
	if err != nil {
		return shell{}, err
	}
	raw, err := st.Encode()
	if err != nil {
		return shell{}, err
	}
	sh := shell{st: st, raw: raw}
	if len(c.PeerAddrs) > 0 {
		sh.addr = c.PeerAddrs[0]
	}
	return sh, nil
}

// writeRestore stores the sealed seed, the birthday, every shell and its
// peer's address, and a next key index past every restored channel's.
func writeRestore(tx store.Tx, f *backup.File, sealed []byte, shells []shell) error {
	if v, err := tx.Get(bucketWallet, keySealed); err != nil || v != nil {
		if err == nil {
			err = ErrWalletExists
		}
		return err
	}
	if err := recordBirthday(tx, f.Birthday); err != nil {
		return err
	}
	if err := tx.Put(bucketWallet, keySealed, sealed); err != nil {
		return err
	}
	next, err := getU32(tx, bucketMeta, keyNextIndex)
	if err != nil {
		return err
	}
	next = max(next, f.NextKeyIndex)
	for _, sh := range shells {
		if err := putShell(tx, sh); err != nil {
			return err
		}
		next = max(next, sh.st.KeyIndex+1)
	}
	return tx.Put(bucketMeta, keyNextIndex, binary.BigEndian.AppendUint32(nil, next))
}

// putShell stores one restored channel, refusing to replace a channel the
// store already holds.
func putShell(tx store.Tx, sh shell) error {
	id := sh.st.ID
	if v, err := tx.Get(bucketChannels, id[:]); err != nil || v != nil {
		if err == nil {
			err = fmt.Errorf("channel %s is already stored", sh.st.FundingOutpoint())
		}
		return err
	}
	if err := tx.Put(bucketChannels, id[:], sh.raw); err != nil {
		return err
	}
	if sh.addr == "" {
		return nil
	}
	peer := []byte(sh.st.Peer.String())
	if v, err := tx.Get(bucketPeerAddrs, peer); err != nil || v != nil {
		return err
	}
	return tx.Put(bucketPeerAddrs, peer, []byte(sh.addr))
}
