package devnet

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// handleHubOpen is lncli openchannel from the hub to a node it is
// connected to: {pubkey, amountSat, pushSat?, commitmentType?}. It lets a
// person see a channel opened towards their page.
func (d *Devnet) handleHubOpen(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Pubkey         string `json:"pubkey"`
		AmountSat      int64  `json:"amountSat"`
		PushSat        int64  `json:"pushSat"`
		CommitmentType string `json:"commitmentType"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, fmt.Errorf(`body must be JSON like {"pubkey": "02…", "amountSat": 200000}: %w`, err))
		return
	}
	if raw, err := hex.DecodeString(req.Pubkey); err != nil || len(raw) != 33 {
		writeErr(w, http.StatusBadRequest, errors.New("pubkey must be 66 hex characters"))
		return
	}
	if req.AmountSat <= 0 || req.PushSat < 0 || req.PushSat >= req.AmountSat {
		writeErr(w, http.StatusBadRequest, errors.New("want amountSat > 0 and 0 <= pushSat < amountSat"))
		return
	}
	types := map[string]string{"": "anchors", "anchors": "anchors", "static_remote_key": "tweakless"}
	t, ok := types[req.CommitmentType]
	if !ok {
		writeErr(w, http.StatusBadRequest, errors.New("commitmentType must be anchors or static_remote_key"))
		return
	}
	d.serveCLI(w, r, "openchannel", "--node_key", req.Pubkey, "--local_amt", fmt.Sprint(req.AmountSat),
		"--push_amt", fmt.Sprint(req.PushSat), "--channel_type", t)
}

// handleHubClose is lncli closechannel (cooperative) from the hub:
// {channelPoint}.
func (d *Devnet) handleHubClose(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ChannelPoint string `json:"channelPoint"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, fmt.Errorf(`body must be JSON like {"channelPoint": "txid:0"}: %w`, err))
		return
	}
	i := strings.LastIndexByte(req.ChannelPoint, ':')
	if i != 64 {
		writeErr(w, http.StatusBadRequest, errors.New("channelPoint must be txid:index"))
		return
	}
	if _, err := hex.DecodeString(req.ChannelPoint[:i]); err != nil {
		writeErr(w, http.StatusBadRequest, errors.New("channelPoint must be txid:index"))
		return
	}
	d.serveCLI(w, r, "closechannel", "--funding_txid", req.ChannelPoint[:i], "--output_index", req.ChannelPoint[i+1:], "--block=false")
}

// handleHubSnapshot copies the hub's database (lnd stops and starts
// again, so its peers reconnect): the state a later breach goes back to.
func (d *Devnet) handleHubSnapshot(w http.ResponseWriter, r *http.Request) {
	if err := d.Hub.Snapshot(r.Context(), filepath.Join(d.dir, "hub-snapshot")); err != nil {
		writeErr(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, map[string]any{"snapshot": true})
}

// handleHubBreach makes the hub cheat: its database goes back to the
// snapshot (lnd restarts on a new port so no peer reconnects and proves
// it stale) and it force-closes {channelPoint}, broadcasting a revoked
// commitment. Regtest playground only, for tests and demonstrations of
// the justice transaction.
func (d *Devnet) handleHubBreach(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ChannelPoint string `json:"channelPoint"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, fmt.Errorf(`body must be JSON like {"channelPoint": "txid:0"}: %w`, err))
		return
	}
	i := strings.LastIndexByte(req.ChannelPoint, ':')
	if _, err := hex.DecodeString(req.ChannelPoint[:max(i, 0)]); i != 64 || err != nil {
		writeErr(w, http.StatusBadRequest, errors.New("channelPoint must be txid:index"))
		return
	}
	snap := filepath.Join(d.dir, "hub-snapshot")
	if _, err := os.Stat(snap); err != nil {
		writeErr(w, http.StatusConflict, errors.New("no snapshot: POST /devnet/hub/snapshot first"))
		return
	}
	if err := d.Hub.Restore(r.Context(), snap); err != nil {
		writeErr(w, http.StatusInternalServerError, err)
		return
	}
	d.serveCLI(w, r, "closechannel", "--force", "--funding_txid", req.ChannelPoint[:i], "--output_index", req.ChannelPoint[i+1:], "--block=false")
}
