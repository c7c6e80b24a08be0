package itest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestFaucetFundsHub: the playground's faucet pays a real lnd, which sees
// the exact amount confirmed; bad requests get clear 400s.
func TestFaucetFundsHub(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := startPlayground(t)
	var addr struct {
		Address string `json:"address"`
	}
	if err := d.Hub.CLI(ctx, &addr, "newaddress", "p2wkh"); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	d.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct{ body, want string }{
		{`{"address": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "amountSat": 100000}`, "regtest"},
		{`{"address": "nonsense", "amountSat": 100000}`, "regtest address"},
		{fmt.Sprintf(`{"address": %q, "amountSat": 100}`, addr.Address), "dust"},
		{fmt.Sprintf(`{"address": %q, "amountSat": 6000000000}`, addr.Address), "coinbase"},
		{`not json`, "JSON"},
	} {
		r, err := http.Post(srv.URL+"/devnet/faucet", "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ Error string }
		_ = decodeJSON(r, &out)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(out.Error, tc.want) {
			t.Errorf("faucet %s: %d %q, want 400 mentioning %q", tc.body, r.StatusCode, out.Error, tc.want)
		}
	}
	r, err := http.Post(srv.URL+"/devnet/faucet", "application/json",
		strings.NewReader(fmt.Sprintf(`{"address": %q, "amountSat": 1234567}`, addr.Address)))
	if err != nil {
		t.Fatal(err)
	}
	var paid struct{ Txid, Error string }
	if err := decodeJSON(r, &paid); err != nil || r.StatusCode != 200 || len(paid.Txid) != 64 {
		t.Fatalf("faucet: %d %+v %v", r.StatusCode, paid, err)
	}
	waitFor(t, 60*time.Second, "lnd sees the faucet payment confirmed", func() (bool, string) {
		var bal struct {
			Confirmed string `json:"confirmed_balance"`
		}
		err := d.Hub.CLI(ctx, &bal, "walletbalance")
		// The playground funds its hub with 10 BTC at start.
		return err == nil && bal.Confirmed == "1001234567", fmt.Sprintf("%+v %v", bal, err)
	})
}
