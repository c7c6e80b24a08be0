package devnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
)

// defaultFeeSatPerVbyte is the fee API's rate until POST /devnet/fee moves
// it.
const defaultFeeSatPerVbyte = 10

// FeeAPI serves a fee estimate in lnd's --fee.url format on loopback, at a
// rate the playground sets: lnd on regtest fetches it on every estimate.
type FeeAPI struct {
	satPerKvB atomic.Int64
	ln        net.Listener
	srv       *http.Server
}

// StartFeeAPI listens on a free loopback port.
func StartFeeAPI(satPerVbyte int64) (*FeeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fee api: %w", err)
	}
	f := &FeeAPI{ln: ln}
	f.satPerKvB.Store(satPerVbyte * 1000)
	f.srv = &http.Server{Handler: f}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// URL is what lnd's --fee.url takes.
func (f *FeeAPI) URL() string { return "http://" + f.ln.Addr().String() + "/fees" }

// Set moves the estimate for every confirmation target.
func (f *FeeAPI) Set(satPerVbyte int64) { f.satPerKvB.Store(satPerVbyte * 1000) }

// Close stops serving.
func (f *FeeAPI) Close() error { return f.srv.Close() }

// ServeHTTP answers {"fee_by_block_target": {...}, "min_relay_feerate"}
// in sat/kvB.
func (f *FeeAPI) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	rate := f.satPerKvB.Load()
	targets := map[string]int64{}
	for _, b := range []string{"1", "2", "3", "6", "12", "144", "1008"} {
		targets[b] = rate
	}
	writeJSON(w, map[string]any{"fee_by_block_target": targets, "min_relay_feerate": 1000})
}

// handleSetFee is POST /devnet/fee {"satPerVbyte": N}: the fee the hub
// estimates from now on (with -devnet-hub-fast-fee only).
func (d *Devnet) handleSetFee(w http.ResponseWriter, r *http.Request) {
	if d.fees == nil {
		writeErr(w, http.StatusConflict, errors.New("the hub reads no fee API; start the server with -devnet-hub-fast-fee"))
		return
	}
	var req struct {
		SatPerVbyte int64 `json:"satPerVbyte"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil || req.SatPerVbyte < 1 || req.SatPerVbyte > 10_000 {
		writeErr(w, http.StatusBadRequest, errors.New(`body must be JSON like {"satPerVbyte": 20} with 1..10000`))
		return
	}
	d.fees.Set(req.SatPerVbyte)
	writeJSON(w, map[string]int64{"satPerVbyte": req.SatPerVbyte})
}
