package devnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// maxShopInvoiceSat bounds a shop invoice to what its channel can receive.
const maxShopInvoiceSat = ShopChannelSat - ShopPushSat

// shopCLI serves one lncli command on the shop, like hubCLI on the hub.
func (d *Devnet) shopCLI(w http.ResponseWriter, r *http.Request, out any, args ...string) bool {
	if d.Shop == nil {
		writeErr(w, http.StatusNotFound, errors.New("the playground runs without a shop (-devnet-shop=false)"))
		return false
	}
	if err := d.Shop.CLI(r.Context(), out, args...); err != nil {
		writeErr(w, http.StatusBadGateway, err)
		return false
	}
	return true
}

// handleShopInvoice is the shop selling something: {amountSat, memo} →
// {paymentRequest, paymentHash}.
func (d *Devnet) handleShopInvoice(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AmountSat int64  `json:"amountSat"`
		Memo      string `json:"memo"`
		Expiry    int64  `json:"expirySeconds"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, fmt.Errorf(`body must be JSON like {"amountSat": 1000, "memo": "coffee"}: %w`, err))
		return
	}
	if req.AmountSat < 0 || req.AmountSat > maxShopInvoiceSat {
		writeErr(w, http.StatusBadRequest, fmt.Errorf("amountSat must be between 0 and %d", maxShopInvoiceSat))
		return
	}
	if req.Expiry < 0 || len(req.Memo) > 500 {
		writeErr(w, http.StatusBadRequest, errors.New("expirySeconds must not be negative and memo at most 500 bytes"))
		return
	}
	args := []string{"addinvoice", "--amt", fmt.Sprint(req.AmountSat), "--memo", req.Memo}
	if req.Expiry > 0 {
		args = append(args, "--expiry", fmt.Sprint(req.Expiry))
	}
	var inv struct {
		Hash string `json:"r_hash"`
		Req  string `json:"payment_request"`
	}
	if d.shopCLI(w, r, &inv, args...) {
		writeJSON(w, map[string]string{"paymentRequest": inv.Req, "paymentHash": inv.Hash})
	}
}

// handleShopPay is the shop paying one of the page's invoices:
// {paymentRequest} → {status, paymentHash, paymentPreimage, feeMsat, failureReason}.
func (d *Devnet) handleShopPay(w http.ResponseWriter, r *http.Request) {
	d.lndPay(w, r, d.Shop, "shop")
}

// handleHubPay is the hub paying one of the page's invoices, like
// handleShopPay.
func (d *Devnet) handleHubPay(w http.ResponseWriter, r *http.Request) { d.lndPay(w, r, d.Hub, "hub") }

// lndPay has l pay the request's invoice.
func (d *Devnet) lndPay(w http.ResponseWriter, r *http.Request, l *Lnd, name string) {
	var req struct {
		PaymentRequest string `json:"paymentRequest"`
		AmountSat      int64  `json:"amountSat"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10)).Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, fmt.Errorf(`body must be JSON like {"paymentRequest": "lnbcrt…"}: %w`, err))
		return
	}
	if !strings.HasPrefix(strings.ToLower(req.PaymentRequest), "lnbcrt") || req.AmountSat < 0 {
		writeErr(w, http.StatusBadRequest, errors.New("paymentRequest must be a regtest invoice (lnbcrt…), amountSat not negative"))
		return
	}
	args := []string{"payinvoice", "--pay_req", req.PaymentRequest, "--force", "--json", "--timeout", "60s", "--fee_limit", "10000"}
	if req.AmountSat > 0 {
		args = append(args, "--amt", fmt.Sprint(req.AmountSat))
	}
	var p struct {
		Status   string `json:"status"`
		Hash     string `json:"payment_hash"`
		Preimage string `json:"payment_preimage"`
		FeeMsat  string `json:"fee_msat"`
		Failure  string `json:"failure_reason"`
		Created  string `json:"creation_time_ns"`
		HTLCs    []struct {
			Resolved string `json:"resolve_time_ns"`
		} `json:"htlcs"`
	}
	if l == nil {
		writeErr(w, http.StatusNotFound, fmt.Errorf("the playground runs without a %s", name))
		return
	}
	// A failed payment is an answer, not an error: lncli prints it as JSON
	// and exits 1.
	out, err := l.CLIOut(r.Context(), args...)
	if jerr := json.Unmarshal(out, &p); jerr != nil {
		writeErr(w, http.StatusBadGateway, fmt.Errorf("%s payinvoice: %v", name, err))
		return
	}
	writeJSON(w, map[string]any{"status": p.Status, "paymentHash": p.Hash,
		"paymentPreimage": p.Preimage, "feeMsat": p.FeeMsat, "failureReason": p.Failure,
		"latencyMs": lndLatency(p.Created, p.HTLCs)})
}

// lndLatency is lnd's own time from creating a payment to its last HTLC's
// resolution, in milliseconds (0 if lnd did not say): a benchmark's
// reference without lncli's process start-up.
func lndLatency(created string, htlcs []struct {
	Resolved string `json:"resolve_time_ns"`
}) float64 {
	c, err := strconv.ParseInt(created, 10, 64)
	if err != nil || len(htlcs) == 0 {
		return 0
	}
	var last int64
	for _, h := range htlcs {
		if r, err := strconv.ParseInt(h.Resolved, 10, 64); err == nil && r > last {
			last = r
		}
	}
	if last < c {
		return 0
	}
	return float64(last-c) / 1e6
}
