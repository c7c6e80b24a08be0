package itest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"lnwasm/server/devnet"
)

// lndREST calls one lnd's REST API with its admin macaroon: a benchmark
// that drives lnd through lncli would time lncli's start-up as well.
type lndREST struct {
	base     string
	macaroon string
	client   *http.Client
}

func newLndREST(t testing.TB, l *devnet.Lnd) *lndREST {
	t.Helper()
	cert, err := os.ReadFile(filepath.Join(l.Dir, "tls.cert"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(cert) {
		t.Fatalf("%s: tls.cert holds no certificate", l.Alias)
	}
	mac, err := os.ReadFile(filepath.Join(l.Dir, "data", "chain", "bitcoin", "regtest", "admin.macaroon"))
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 64}
	return &lndREST{base: "https://" + l.RESTAddr, macaroon: hex.EncodeToString(mac),
		client: &http.Client{Transport: tr, Timeout: 90 * time.Second}}
}

// post sends body as JSON and decodes the answer into out.
func (r *lndREST) post(path string, body, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, r.base+path, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Grpc-Metadata-macaroon", r.macaroon)
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, got)
	}
	if err := json.Unmarshal(got, out); err != nil {
		return fmt.Errorf("POST %s: %w: %s", path, err, got)
	}
	return nil
}

// invoices makes n invoices of sat each.
func (r *lndREST) invoices(t testing.TB, n int, sat int64) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		var inv struct {
			PaymentRequest string `json:"payment_request"`
		}
		if err := r.post("/v1/invoices", map[string]any{"value": fmt.Sprint(sat)}, &inv); err != nil {
			t.Fatal(err)
		}
		out[i] = inv.PaymentRequest
	}
	return out
}

// pay pays an invoice and waits for the outcome.
func (r *lndREST) pay(req string) error {
	var p struct {
		Error    string `json:"payment_error"`
		Preimage string `json:"payment_preimage"`
	}
	if err := r.post("/v1/channels/transactions", map[string]any{"payment_request": req}, &p); err != nil {
		return err
	}
	if p.Error != "" || p.Preimage == "" {
		return fmt.Errorf("lnd payment: %q", p.Error)
	}
	return nil
}
