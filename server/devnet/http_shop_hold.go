package devnet

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

// holds keeps the preimages of the shop's hold invoices until the
// playground settles them: the shop has accepted the payment's HTLC but
// not yet taken it, so the payer's payment stays in flight meanwhile.
type holds struct {
	mu        sync.Mutex
	preimages map[string]string // payment hash (hex) → preimage (hex)
}

func (h *holds) put(hash, preimage string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.preimages == nil {
		h.preimages = map[string]string{}
	}
	h.preimages[hash] = preimage
}

func (h *holds) take(hash string) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.preimages[hash]
	delete(h.preimages, hash)
	return p, ok
}

// handleShopHoldInvoice: {amountSat, memo} → {paymentRequest, paymentHash}
// for an invoice the shop holds until /devnet/shop/settle or /cancel.
func (d *Devnet) handleShopHoldInvoice(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AmountSat int64  `json:"amountSat"`
		Memo      string `json:"memo"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, fmt.Errorf(`body must be JSON like {"amountSat": 1000, "memo": "coffee"}: %w`, err))
		return
	}
	if req.AmountSat <= 0 || req.AmountSat > maxShopInvoiceSat || len(req.Memo) > 500 {
		writeErr(w, http.StatusBadRequest, fmt.Errorf("amountSat must be between 1 and %d, memo at most 500 bytes", maxShopInvoiceSat))
		return
	}
	var pre [32]byte
	if _, err := rand.Read(pre[:]); err != nil {
		writeErr(w, http.StatusInternalServerError, err)
		return
	}
	hash := sha256.Sum256(pre[:])
	var inv struct {
		Req string `json:"payment_request"`
	}
	if !d.shopCLI(w, r, &inv, "addholdinvoice", hex.EncodeToString(hash[:]), "--amt", fmt.Sprint(req.AmountSat), "--memo", req.Memo) {
		return
	}
	d.holds.put(hex.EncodeToString(hash[:]), hex.EncodeToString(pre[:]))
	writeJSON(w, map[string]string{"paymentRequest": inv.Req, "paymentHash": hex.EncodeToString(hash[:])})
}

// handleShopResolve settles or cancels a hold invoice: {paymentHash}.
func (d *Devnet) handleShopResolve(settle bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Hash string `json:"paymentHash"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
			writeErr(w, http.StatusBadRequest, fmt.Errorf(`body must be JSON like {"paymentHash": "…"}: %w`, err))
			return
		}
		pre, ok := d.holds.take(req.Hash)
		if !ok {
			writeErr(w, http.StatusNotFound, errors.New("no hold invoice of the shop with that hash is waiting"))
			return
		}
		var out json.RawMessage
		args := []string{"cancelinvoice", req.Hash}
		if settle {
			args = []string{"settleinvoice", pre}
		}
		if d.shopCLI(w, r, &out, args...) {
			writeJSON(w, map[string]string{"paymentHash": req.Hash})
		}
	}
}
