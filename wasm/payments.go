//go:build js && wasm

package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"lnwasm/node"
	"lnwasm/node/invoice"
	"lnwasm/node/pay"
)

// decodePayReq is lncli decodepayreq: {payReq} → the invoice's fields, so
// a person sees what they are about to pay before paying it.
func (e *engine) decodePayReq(raw json.RawMessage) (any, error) {
	var p struct {
		PayReq string `json:"payReq"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.PayReq == "" {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("decodePayReq: want {payReq}"))
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	inv, err := n.DecodePayReq(p.PayReq)
	if err != nil {
		return nil, err
	}
	return invoiceJSON(inv), nil
}

// invoiceJSON names a decoded invoice's fields like lncli decodepayreq.
func invoiceJSON(inv *invoice.Invoice) map[string]any {
	out := map[string]any{
		"destination": hex.EncodeToString(inv.Payee.SerializeCompressed()),
		"paymentHash": hex.EncodeToString(inv.PaymentHash[:]),
		"numMsat":     inv.AmountMsat, "numSatoshis": inv.AmountMsat / 1000,
		"timestamp": inv.Timestamp.Unix(), "expiry": int64(inv.Expiry / time.Second),
		"expiresAt": inv.ExpiresAt().Unix(), "expired": inv.Expired(time.Now()),
		"description": inv.Memo(), "cltvExpiry": inv.MinFinalCLTVExpiryDelta,
		"features": featureNames(inv), "numRouteHints": len(inv.RouteHints),
	}
	if inv.DescriptionHash != nil {
		out["descriptionHash"] = hex.EncodeToString(inv.DescriptionHash[:])
	}
	if inv.PaymentSecret != nil {
		out["paymentAddr"] = hex.EncodeToString(inv.PaymentSecret[:])
	}
	if len(inv.Fallbacks) > 0 {
		out["fallbackAddr"] = inv.Fallbacks[0].EncodeAddress()
	}
	return out
}

func featureNames(inv *invoice.Invoice) []string {
	var names []string
	for b := range inv.Features.All() {
		names = append(names, b.String())
	}
	return names
}

// sendPayment is lncli sendpayment --pay_req: {paymentRequest, amtMsat?,
// feeLimitSat?, timeoutSeconds?} → {status, paymentHash, paymentPreimage,
// feeMsat, hops}. A payment that fails rejects with its reason's code.
func (e *engine) sendPayment(raw json.RawMessage) (any, error) {
	var p struct {
		PaymentRequest string `json:"paymentRequest"`
		AmtMsat        uint64 `json:"amtMsat"`
		FeeLimitSat    uint64 `json:"feeLimitSat"`
		TimeoutSeconds int64  `json:"timeoutSeconds"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.PaymentRequest == "" || p.TimeoutSeconds < 0 {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("sendPayment: want {paymentRequest, amtMsat?, feeLimitSat?, timeoutSeconds?}"))
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	timeout := time.Duration(p.TimeoutSeconds) * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), max(timeout, pay.DefaultTimeout)+30*time.Second)
	defer cancel()
	res, err := n.SendPayment(ctx, node.SendPaymentRequest{PaymentRequest: p.PaymentRequest,
		AmountMsat: p.AmtMsat, FeeLimitMsat: p.FeeLimitSat * 1000, Timeout: timeout})
	if err != nil {
		return nil, err
	}
	return paymentJSON(res), nil
}

// paymentJSON is one payment as sendPayment and listPayments report it.
func paymentJSON(p *pay.Payment) map[string]any {
	out := map[string]any{
		"paymentHash": hex.EncodeToString(p.Hash[:]), "status": string(p.Status),
		"valueMsat": p.AmountMsat, "valueSat": p.AmountMsat / 1000, "feeMsat": p.FeeMsat(),
		"paymentRequest": p.PaymentRequest, "destination": p.Destination,
		"creationTime": p.Created.Unix(), "failureReason": p.FailureReason, "failureMessage": p.FailureMessage,
		"numAttempts": len(p.Attempts),
	}
	if p.Status == pay.StatusSucceeded {
		out["paymentPreimage"] = hex.EncodeToString(p.Preimage[:])
	}
	var hops []map[string]any
	parts := 0
	for _, a := range p.Attempts {
		if a.Status != pay.StatusSucceeded {
			continue
		}
		parts++
		for _, h := range a.Hops {
			hops = append(hops, map[string]any{"pubkey": h.Pubkey, "chanId": h.ShortChannelID, "amtToForwardMsat": h.AmountMsat})
		}
	}
	out["hops"], out["numParts"] = hops, parts
	return out
}

// listPayments is lncli listpayments: {payments: [...]}.
func (e *engine) listPayments(json.RawMessage) (any, error) {
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	ps, err := n.ListPayments()
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		out[i] = paymentJSON(p)
	}
	return map[string]any{"payments": out}, nil
}

// addInvoice is lncli addinvoice: {valueMsat | valueSat, memo?,
// expirySeconds?} → {paymentRequest, paymentHash, addIndex}.
func (e *engine) addInvoice(raw json.RawMessage) (any, error) {
	var p struct {
		ValueMsat     uint64 `json:"valueMsat"`
		ValueSat      uint64 `json:"valueSat"`
		Memo          string `json:"memo"`
		ExpirySeconds int64  `json:"expirySeconds"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.ExpirySeconds < 0 || (p.ValueMsat > 0 && p.ValueSat > 0) {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("addInvoice: want {valueMsat or valueSat, memo?, expirySeconds?}"))
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	rec, err := n.AddInvoice(node.AddInvoiceRequest{ValueMsat: max(p.ValueMsat, p.ValueSat*1000), Memo: p.Memo,
		Expiry: time.Duration(p.ExpirySeconds) * time.Second})
	if err != nil {
		return nil, err
	}
	return map[string]any{"paymentRequest": rec.PaymentRequest, "paymentHash": hex.EncodeToString(rec.PaymentHash[:]),
		"addIndex": rec.AddIndex}, nil
}

// listInvoices is lncli listinvoices: {invoices: [...]}.
func (e *engine) listInvoices(json.RawMessage) (any, error) {
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	recs, err := n.ListInvoices()
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(recs))
	for i, r := range recs {
		state := r.State.String()
		if r.State == invoice.StateOpen && time.Now().After(r.ExpiresAt) {
			state = "EXPIRED"
		}
		out[i] = map[string]any{
			"paymentRequest": r.PaymentRequest, "paymentHash": hex.EncodeToString(r.PaymentHash[:]),
			"valueMsat": r.AmountMsat, "memo": r.Memo, "state": state, "amtPaidMsat": r.AmountPaidMsat,
			"creationDate": r.CreatedAt.Unix(), "expiresAt": r.ExpiresAt.Unix(), "addIndex": r.AddIndex,
		}
		if !r.SettledAt.IsZero() {
			out[i]["settleDate"] = r.SettledAt.Unix()
		}
	}
	return map[string]any{"invoices": out}, nil
}
