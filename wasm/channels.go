//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"lnwasm/node"
	"lnwasm/node/channel"
	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// openChannel is lncli openchannel: {nodePubkey, localFundingAmountSat,
// pushSat?, private?, commitmentType?} → {channelPoint}, once the funding
// transaction is published.
func (e *engine) openChannel(raw json.RawMessage) (any, error) {
	var p struct {
		NodePubkey     string `json:"nodePubkey"`
		LocalFunding   int64  `json:"localFundingAmountSat"`
		PushSat        int64  `json:"pushSat"`
		Private        bool   `json:"private"`
		CommitmentType string `json:"commitmentType"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.LocalFunding <= 0 || p.PushSat < 0 {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("openChannel: want {nodePubkey, localFundingAmountSat > 0, pushSat >= 0}"))
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	op, err := n.OpenChannel(ctx, node.OpenChannelRequest{NodePubkey: p.NodePubkey, LocalFundingSat: p.LocalFunding,
		PushSat: p.PushSat, Private: p.Private, CommitmentType: p.CommitmentType})
	if err != nil {
		return nil, err
	}
	return map[string]any{"channelPoint": op.String(), "fundingTxid": op.Hash.String()}, nil
}

// channelJSON is one channel as listChannels, pendingChannels and
// closedChannels report it, named like lncli's fields.
type channelJSON struct {
	ChannelPoint     string `json:"channelPoint"`
	ChannelID        string `json:"channelId"`
	RemotePubkey     string `json:"remotePubkey"`
	CapacitySat      int64  `json:"capacitySat"`
	LocalBalanceSat  uint64 `json:"localBalanceSat"`
	RemoteBalanceSat uint64 `json:"remoteBalanceSat"`
	CommitFeeSat     int64  `json:"commitFeeSat"`
	FeePerKw         uint32 `json:"feePerKw"`
	State            string `json:"state"`
	CommitmentType   string `json:"commitmentType"`
	Initiator        bool   `json:"initiator"`
	ShortChannelID   string `json:"shortChannelId,omitempty"`
	Confirmations    uint32 `json:"confirmations"`
	ConfirmationsReq uint32 `json:"confirmationsRequired"`
	NumPendingHTLCs  int    `json:"numPendingHtlcs"`
	ClosingTxid      string `json:"closingTxid,omitempty"`
	SettledSat       int64  `json:"settledBalanceSat,omitempty"`
	CloseHeight      uint32 `json:"closeHeight,omitempty"`
	CloseInitiator   string `json:"closeInitiator,omitempty"`
	CloseType        string `json:"closeType,omitempty"`
	FailReason       string `json:"failReason,omitempty"`
	DataLoss         bool   `json:"dataLoss,omitempty"`
	// PendingOutputs are a force-closed channel's claims, as lncli
	// pendingchannels reports pending_htlcs and blocks_til_maturity.
	PendingOutputs []outputJSON `json:"pendingOutputs,omitempty"`
	// BlocksTilMaturity is the wait for the last output still locked.
	BlocksTilMaturity int64 `json:"blocksTilMaturity,omitempty"`
	LimboBalanceSat   int64 `json:"limboBalanceSat,omitempty"`
}

// outputJSON is one output a force-closed channel still owes us.
type outputJSON struct {
	What              string `json:"what"`
	AmountSat         int64  `json:"amountSat"`
	MaturityHeight    uint32 `json:"maturityHeight"`
	BlocksTilMaturity int64  `json:"blocksTilMaturity"`
	SweepTxid         string `json:"sweepTxid,omitempty"`
	Done              bool   `json:"done"`
	Claimable         bool   `json:"claimable"`
}

// addClaims fills a force-closing row's outputs from the node's
// resolution.
func addClaims(row *channelJSON, n *node.Node, tip uint32) {
	kind, claims, err := n.Claims(row.ChannelPoint)
	if err != nil {
		return
	}
	row.CloseType = kind
	for _, c := range claims {
		o := outputJSON{What: c.What, AmountSat: c.ValueSat, MaturityHeight: c.MatureHeight,
			SweepTxid: c.SweepTxid, Done: c.Done, Claimable: !c.WatchOnly}
		o.BlocksTilMaturity = max(0, int64(c.MatureHeight)-int64(tip)-1)
		// The anchor carries our CPFP child: its 330 sat go to fees.
		if !c.Done && !c.WatchOnly && c.What != "anchor" {
			row.LimboBalanceSat += c.ValueSat
			row.BlocksTilMaturity = max(row.BlocksTilMaturity, o.BlocksTilMaturity)
		}
		row.PendingOutputs = append(row.PendingOutputs, o)
	}
}

func (e *engine) channelRows(keep func(channel.Phase) bool) (any, error) {
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	var tip uint32
	if e.backend != nil {
		if b, err := e.backend.BestBlock(); err == nil {
			tip = b.Height
		}
	}
	out := []channelJSON{}
	for _, c := range n.ChannelInfos() {
		if !keep(c.Phase) {
			continue
		}
		row := channelJSON{ChannelPoint: c.ChannelPoint.String(), ChannelID: c.ID, RemotePubkey: c.Peer,
			CapacitySat: c.CapacitySat, LocalBalanceSat: c.LocalMsat / 1000, RemoteBalanceSat: c.RemoteMsat / 1000,
			CommitFeeSat: c.CommitFeeSat, FeePerKw: c.FeeratePerKw, State: c.Phase.String(), CommitmentType: commitType(c),
			Initiator: c.Opener, ConfirmationsReq: c.MinimumDepth, NumPendingHTLCs: c.NumHTLCs,
			ClosingTxid: c.ClosingTxid, SettledSat: c.CloseLocalSat, CloseHeight: c.CloseHeight,
			FailReason: c.FailReason, CloseType: c.CloseKind, DataLoss: c.DataLoss}
		if c.SCID != 0 {
			row.ShortChannelID = lnwire.ShortChannelID(c.SCID).String()
			row.Confirmations = confirmations(c.FundingHeight, tip)
		}
		if c.Phase == channel.PhaseForceClosing {
			addClaims(&row, n, tip)
		}
		if c.ClosingTxid != "" {
			row.CloseInitiator = "remote"
			if c.WeClosed {
				row.CloseInitiator = "local"
			}
		}
		out = append(out, row)
	}
	return map[string]any{"channels": out}, nil
}

func commitType(c channel.Info) string {
	if c.Type == script.Anchors {
		return "ANCHORS"
	}
	return "STATIC_REMOTE_KEY"
}

// listChannels is lncli listchannels: the active channels.
func (e *engine) listChannels(json.RawMessage) (any, error) {
	return e.channelRows(func(p channel.Phase) bool { return p == channel.PhaseNormal })
}

// pendingChannels is lncli pendingchannels: opening and closing channels.
func (e *engine) pendingChannels(json.RawMessage) (any, error) {
	return e.channelRows(func(p channel.Phase) bool {
		return p != channel.PhaseNormal && p != channel.PhaseClosed
	})
}

// closedChannels is lncli closedchannels.
func (e *engine) closedChannels(json.RawMessage) (any, error) {
	return e.channelRows(func(p channel.Phase) bool { return p == channel.PhaseClosed })
}

// closeChannel is lncli closechannel (cooperative): {channelPoint,
// satPerVbyte?} → {closingTxid} once both sides signed it.
func (e *engine) closeChannel(raw json.RawMessage) (any, error) {
	var p struct {
		ChannelPoint string  `json:"channelPoint"`
		SatPerVbyte  float64 `json:"satPerVbyte"`
		Force        bool    `json:"force"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.ChannelPoint == "" || p.SatPerVbyte < 0 {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("closeChannel: want {channelPoint, satPerVbyte >= 0}"))
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	txid, err := n.CloseChannel(ctx, p.ChannelPoint, uint32(p.SatPerVbyte*250), p.Force)
	if err != nil {
		return nil, err
	}
	return map[string]any{"closingTxid": txid}, nil
}
