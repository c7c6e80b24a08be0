package node

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/node/backup"
	"lnwasm/node/channel"
	"lnwasm/node/keys"
	"lnwasm/node/lnwire"
	"lnwasm/node/script"
	"lnwasm/node/store"
)

var errDiskFull = errors.New("disk full")

// exportTwo makes a wallet with an anchors and a static_remotekey
// channel and exports its backup.
func exportTwo(t *testing.T) (*Node, []*channel.State, []byte) {
	t.Helper()
	n := newTestNode(t, store.NewMemory())
	if _, err := n.CreateWallet("correct horse", ""); err != nil {
		t.Fatal(err)
	}
	states := []*channel.State{
		openInMemory(t, n, script.Anchors, 600_000, 1),
		openInMemory(t, n, script.StaticRemoteKey, 400_000, 2),
	}
	if _, _, err := n.ExportBackup("wrong horse"); !errors.Is(err, keys.ErrWrongPassword) {
		t.Fatalf("export with a wrong password: %v", err)
	}
	data, count, err := n.ExportBackup("correct horse")
	if err != nil || count != 2 {
		t.Fatalf("export: %d channels, %v", count, err)
	}
	return n, states, data
}

// TestExportRestore: a fresh node restores the seed and one failed,
// data-loss, restored record per channel, with the original's funding
// script, the peer's address and a key index past the channels'.
func TestExportRestore(t *testing.T) {
	orig, states, data := exportTwo(t)
	s := store.NewMemory()
	n := newTestNode(t, s)
	count, err := n.RestoreWallet("new password", data, "correct horse")
	if err != nil || count != 2 {
		t.Fatalf("restore: %d channels, %v", count, err)
	}
	if pubOf(t, n) != pubOf(t, orig) {
		t.Fatal("restored a different identity")
	}
	infos := n.ChannelInfos()
	if len(infos) != 2 {
		t.Fatalf("%d channels after restore", len(infos))
	}
	for _, st := range states {
		e, err := n.findChannel(st.FundingOutpoint().String())
		if err != nil {
			t.Fatal(err)
		}
		checkRestored(t, e, st)
	}
	if idx, _ := n.nextKeyIndex(); idx != 2 {
		t.Errorf("next key index %d after restoring channels at 0 and 1", idx)
	}
	if err := newTestNode(t, s).UnlockWallet("new password"); err != nil {
		t.Errorf("the restored wallet does not unlock with its new password: %v", err)
	}
	if _, count, err := n.ExportBackup("new password"); err != nil || count != 2 {
		t.Errorf("a restored wallet's own backup: %d channels, %v", count, err)
	}
}

func checkRestored(t *testing.T, e *chanEntry, orig *channel.State) {
	t.Helper()
	st := e.m.State()
	in := e.m.Info()
	if in.Phase != channel.PhaseFailed || !in.DataLoss || !in.Restored || in.CapacitySat != orig.FundingSat ||
		in.Type != orig.Type || in.Opener != orig.Opener || st.ID != orig.ID || st.SCID != orig.SCID {
		t.Errorf("restored %s: %+v", orig.FundingOutpoint(), in)
	}
	if st.Obscurer != orig.Obscurer || st.Remote.ToSelfDelay != orig.Remote.ToSelfDelay || st.RemoteKeys != orig.RemoteKeys {
		t.Errorf("restored %s: obscurer, delays or keys differ", orig.FundingOutpoint())
	}
	if e.peer != orig.Peer.String() {
		t.Errorf("restored peer %s, want %s", e.peer, orig.Peer)
	}
	if _, err := e.m.LocalCommitment(); !errors.Is(err, channel.ErrDataLoss) {
		t.Errorf("a restored channel has a commitment to broadcast: %v", err)
	}
}

// TestRestoreRefusals: a wrong password, a file that is not a backup, a
// weak password, another network, or a store that fails halfway leave
// the store empty, and a correct restore afterwards works.
func TestRestoreRefusals(t *testing.T) {
	_, _, data := exportTwo(t)
	s := store.NewMemory()
	n := newTestNode(t, s)
	for name, c := range map[string]struct {
		pw, backupPw string
		data         []byte
		want         error
	}{
		"wrong password": {"new password", "wrong horse", data, backup.ErrWrongPassword},
		"not a backup":   {"new password", "correct horse", []byte("hello"), backup.ErrNotBackup},
		"weak password":  {"short", "correct horse", data, ErrWeakPassword},
		"version":        {"new password", "correct horse", append([]byte("LNWBACKUP\x07"), data[10:]...), backup.ErrVersion},
	} {
		if _, err := n.RestoreWallet(c.pw, c.data, c.backupPw); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
		checkEmpty(t, n, s)
	}
	main := newTestNodeOn(t, s, &chaincfg.MainNetParams)
	if _, err := main.RestoreWallet("new password", data, "correct horse"); !errors.Is(err, ErrBackupNetwork) {
		t.Errorf("regtest backup on mainnet: %v", err)
	}
	checkEmpty(t, n, s)
	broken := newTestNode(t, failingStore{Store: s, bucket: string(bucketPeerAddrs)})
	if _, err := broken.RestoreWallet("new password", data, "correct horse"); !errors.Is(err, errDiskFull) {
		t.Errorf("restore on a failing store: %v", err)
	}
	checkEmpty(t, n, s)
	if count, err := n.RestoreWallet("new password", data, "correct horse"); err != nil || count != 2 {
		t.Fatalf("restore after the refusals: %d, %v", count, err)
	}
	if _, err := n.RestoreWallet("new password", data, "correct horse"); !errors.Is(err, ErrWalletExists) {
		t.Errorf("second restore: %v", err)
	}
}

// checkEmpty asserts a refused restore left nothing: no wallet, no
// channel, no peer address, no key index.
func checkEmpty(t *testing.T, n *Node, s store.Store) {
	t.Helper()
	if has, _ := n.HasWallet(); has {
		t.Fatal("a refused restore left a wallet")
	}
	_ = s.View(func(tx store.Tx) error {
		for _, b := range [][]byte{bucketWallet, bucketChannels, bucketPeerAddrs, bucketMeta} {
			_ = tx.ForEach(b, func(k, _ []byte) error {
				t.Errorf("a refused restore left %s/%x", b, k)
				return nil
			})
		}
		return nil
	})
}

func newTestNodeOn(t *testing.T, s store.Store, net *chaincfg.Params) *Node {
	t.Helper()
	n, err := New(Config{Network: net, Store: s, Scrypt: keys.ScryptParams{LogN: 10, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestExportSkipsClosedAndUnfunded: only channels with funds at stake
// are in the backup, and a wallet without channels exports its seed.
func TestExportSkipsClosedAndUnfunded(t *testing.T) {
	n := newTestNode(t, store.NewMemory())
	if _, _, err := n.ExportBackup("correct horse"); !errors.Is(err, ErrNoWallet) {
		t.Errorf("export without a wallet: %v", err)
	}
	if _, err := n.CreateWallet("correct horse", ""); err != nil {
		t.Fatal(err)
	}
	if _, count, err := n.ExportBackup("correct horse"); err != nil || count != 0 {
		t.Errorf("export of a wallet without channels: %d %v", count, err)
	}
	st := openInMemory(t, n, script.Anchors, 600_000, 3)
	for _, c := range []struct {
		phase channel.Phase
		want  bool
	}{{channel.PhaseNormal, true}, {channel.PhaseForceClosing, true}, {channel.PhaseClosed, false}} {
		st.Phase = c.phase
		if atStake(st) != c.want {
			t.Errorf("%s: at stake %v", c.phase, !c.want)
		}
	}
	unfunded := *st
	unfunded.Phase, unfunded.LocalSig = channel.PhaseFailed, lnwire.Sig{}
	if atStake(&unfunded) {
		t.Error("a channel the peer never signed for is at stake")
	}
}
