package devnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxMine bounds one /devnet/mine request so a typo cannot stall the node.
const maxMine = 1000

// Info is the body of GET /devnet/info.
type Info struct {
	Network   string `json:"network"`
	ChainPeer string `json:"chainPeer"`
	Height    int64  `json:"height"`
	// ChainID is the hash of block 1: pages key their stored chain state by
	// it, so a playground started afresh is not mistaken for an old one.
	ChainID string `json:"chainId"`
	// Hub is the playground's lnd, when it runs.
	Hub *NodeInfo `json:"hub,omitempty"`
	// Shop is the merchant lnd behind the hub, when it runs.
	Shop *NodeInfo `json:"shop,omitempty"`
}

// NodeInfo names a Lightning node of the playground.
type NodeInfo struct {
	Pubkey string `json:"pubkey"`
	Host   string `json:"host"`
}

// Register adds /devnet/info and /devnet/mine to a mux.
func (d *Devnet) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /devnet/info", d.handleInfo)
	mux.HandleFunc("POST /devnet/mine", d.handleMine)
	mux.HandleFunc("GET /devnet/hub/peers", d.hubCLI("listpeers"))
	mux.HandleFunc("POST /devnet/faucet", d.handleFaucet)
	mux.HandleFunc("GET /devnet/hub/newaddress", d.hubCLI("newaddress", "p2wkh"))
	mux.HandleFunc("GET /devnet/hub/balance", d.hubCLI("walletbalance"))
	mux.HandleFunc("POST /devnet/hub/sendcoins", d.handleHubSend)
	mux.HandleFunc("GET /devnet/hub/channels", d.hubCLI("listchannels"))
	mux.HandleFunc("GET /devnet/hub/closedchannels", d.hubCLI("closedchannels"))
	mux.HandleFunc("GET /devnet/hub/pendingchannels", d.hubCLI("pendingchannels"))
	mux.HandleFunc("POST /devnet/hub/openchannel", d.handleHubOpen)
	mux.HandleFunc("POST /devnet/hub/closechannel", d.handleHubClose)
	mux.HandleFunc("POST /devnet/hub/snapshot", d.handleHubSnapshot)
	mux.HandleFunc("POST /devnet/hub/breach", d.handleHubBreach)
	mux.HandleFunc("POST /devnet/fee", d.handleSetFee)
	mux.HandleFunc("POST /devnet/shop/invoice", d.handleShopInvoice)
	mux.HandleFunc("POST /devnet/shop/pay", d.handleShopPay)
	mux.HandleFunc("POST /devnet/shop/holdinvoice", d.handleShopHoldInvoice)
	mux.HandleFunc("POST /devnet/shop/settle", d.handleShopResolve(true))
	mux.HandleFunc("POST /devnet/shop/cancel", d.handleShopResolve(false))
	mux.HandleFunc("POST /devnet/hub/pay", d.handleHubPay)
	mux.HandleFunc("POST /devnet/payer/pay", func(w http.ResponseWriter, r *http.Request) { d.lndPay(w, r, d.Payer, "payer") })
	mux.HandleFunc("GET /devnet/shop/channels", d.shopJSON("listchannels"))
	mux.HandleFunc("GET /devnet/shop/invoices", d.shopJSON("listinvoices"))
	mux.HandleFunc("GET /devnet/shop/payments", d.shopJSON("listpayments"))
}

// hubCLI serves one lncli command's JSON, so a person (or a test) can play
// the other wallet without a terminal.
func (d *Devnet) hubCLI(args ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { d.serveCLI(w, r, args...) }
}

// shopJSON serves one lncli command's JSON from the shop.
func (d *Devnet) shopJSON(args ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var out json.RawMessage
		if d.shopCLI(w, r, &out, args...) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(out)
		}
	}
}

// serveCLI runs lncli on the hub and writes its JSON.
func (d *Devnet) serveCLI(w http.ResponseWriter, r *http.Request, args ...string) {
	if d.Hub == nil {
		writeErr(w, http.StatusNotFound, errors.New("the playground runs without a hub (-devnet-hub=false)"))
		return
	}
	var out json.RawMessage
	if err := d.Hub.CLI(r.Context(), &out, args...); err != nil {
		writeErr(w, http.StatusBadGateway, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

// payRequest is the body of the faucet and of the hub's sendcoins.
type payRequest struct {
	Address   string `json:"address"`
	AmountSat int64  `json:"amountSat"`
}

// decodePay reads a payRequest, answering 400 itself when it cannot.
func decodePay(w http.ResponseWriter, r *http.Request) (payRequest, bool) {
	var req payRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, fmt.Errorf(`body must be JSON like {"address": "bcrt1...", "amountSat": 100000}: %w`, err))
		return req, false
	}
	return req, true
}

// handleHubSend is lncli sendcoins from the hub: {address, amountSat}. It
// does not mine; the caller decides when the block comes.
func (d *Devnet) handleHubSend(w http.ResponseWriter, r *http.Request) {
	req, ok := decodePay(w, r)
	if !ok {
		return
	}
	if req.AmountSat <= 0 {
		writeErr(w, http.StatusBadRequest, errors.New("amountSat must be positive"))
		return
	}
	d.serveCLI(w, r, "sendcoins", "--addr", req.Address, "--amt", fmt.Sprint(req.AmountSat))
}

// handleFaucet pays {address, amountSat} and mines a block: {txid}.
func (d *Devnet) handleFaucet(w http.ResponseWriter, r *http.Request) {
	req, ok := decodePay(w, r)
	if !ok {
		return
	}
	txid, err := d.Faucet(req.Address, req.AmountSat)
	if err != nil {
		code := http.StatusBadGateway
		if errors.Is(err, ErrFaucetAmount) || errors.Is(err, ErrFaucetAddress) {
			code = http.StatusBadRequest
		}
		writeErr(w, code, err)
		return
	}
	writeJSON(w, map[string]string{"txid": txid.String()})
}

// InfoNow reads the playground's state.
func (d *Devnet) InfoNow() (Info, error) {
	h, err := d.Btcd.Height()
	if err != nil {
		return Info{}, err
	}
	info := Info{Network: "regtest", ChainPeer: d.ChainPeer(), Height: h}
	if d.Hub != nil {
		info.Hub = &NodeInfo{Pubkey: d.Hub.Pubkey, Host: d.Hub.P2PAddr}
	}
	if d.Shop != nil {
		info.Shop = &NodeInfo{Pubkey: d.Shop.Pubkey, Host: d.Shop.P2PAddr}
	}
	if h >= 1 {
		hash, err := d.Btcd.RPC().GetBlockHash(1)
		if err != nil {
			return Info{}, fmt.Errorf("block 1: %w", err)
		}
		info.ChainID = hash.String()
	}
	return info, nil
}

func (d *Devnet) handleInfo(w http.ResponseWriter, r *http.Request) {
	info, err := d.InfoNow()
	if err != nil {
		writeErr(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, info)
}

func (d *Devnet) handleMine(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Blocks uint32 `json:"blocks"`
	}
	body := http.MaxBytesReader(w, r.Body, 1<<10)
	if err := json.NewDecoder(body).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		writeErr(w, http.StatusBadRequest, fmt.Errorf("body must be JSON like {\"blocks\": 6}: %w", err))
		return
	}
	if req.Blocks == 0 {
		req.Blocks = 1
	}
	if req.Blocks > maxMine {
		writeErr(w, http.StatusBadRequest, fmt.Errorf("blocks must be at most %d", maxMine))
		return
	}
	if _, err := d.Btcd.Mine(req.Blocks); err != nil {
		writeErr(w, http.StatusBadGateway, err)
		return
	}
	h, err := d.Btcd.Height()
	if err != nil {
		writeErr(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, map[string]int64{"height": h})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}
