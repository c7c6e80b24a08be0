package itest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"lnwasm/chain"
	"lnwasm/node"
	"lnwasm/node/invoice"
	"lnwasm/node/pay"
	"lnwasm/server/devnet"
)

// shopInvoice has the shop issue an invoice for sat.
func shopInvoice(t testing.TB, d *devnet.Devnet, sat int64, extra ...string) (req, hash string) {
	t.Helper()
	return lndInvoice(t, d.Shop, sat, extra...)
}

// lndInvoiceState is lncli lookupinvoice's state and amount paid.
func lndInvoiceState(t *testing.T, l *devnet.Lnd, hash string) (string, int64) {
	t.Helper()
	var inv struct {
		State   string `json:"state"`
		AmtPaid string `json:"amt_paid_msat"`
	}
	if err := l.CLI(context.Background(), &inv, "lookupinvoice", hash); err != nil {
		t.Fatal(err)
	}
	paid, _ := strconv.ParseInt(inv.AmtPaid, 10, 64)
	return inv.State, paid
}

// lndPays has an lnd pay an invoice: its status and failure reason.
func lndPays(t testing.TB, l *devnet.Lnd, req string) (string, string) {
	t.Helper()
	var p struct {
		Status  string `json:"status"`
		Failure string `json:"failure_reason"`
	}
	out, err := l.CLIOut(context.Background(), "payinvoice", "--pay_req", req, "--force", "--json", "--timeout", "60s", "--fee_limit", "10000")
	if jerr := json.Unmarshal(out, &p); jerr != nil {
		t.Fatalf("lncli payinvoice: %v; output %s", err, out)
	}
	if p.Status != "SUCCEEDED" {
		t.Logf("%s's payment failed: %s", l.Alias, out)
	}
	return p.Status, p.Failure
}

// shopLocalSat is the shop's balance in its channel with the hub.
func shopLocalSat(t testing.TB, d *devnet.Devnet) int64 {
	t.Helper()
	var res struct {
		Channels []lndChannel `json:"channels"`
	}
	if err := d.Shop.CLI(context.Background(), &res, "listchannels"); err != nil || len(res.Channels) != 1 {
		t.Fatalf("shop's channels: %+v %v", res, err)
	}
	sat, _ := strconv.ParseInt(res.Channels[0].LocalBalance, 10, 64)
	return sat
}

// waitRouteToShop waits until our graph holds the hub → shop channel.
func waitRouteToShop(t testing.TB, n *node.Node, d *devnet.Devnet) {
	t.Helper()
	waitFor(t, 60*time.Second, "our graph has the hub → shop channel", func() (bool, string) {
		st := n.GraphStats()
		return st.Channels >= 1 && st.Nodes >= 2, fmt.Sprintf("%+v", st)
	})
}

// paySucceeds pays req and checks the proof of payment.
func paySucceeds(t testing.TB, n *node.Node, req string) *pay.Payment {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	p, err := n.SendPayment(ctx, node.SendPaymentRequest{PaymentRequest: req})
	if err != nil {
		t.Fatalf("pay: %v", err)
	}
	if p.Status != pay.StatusSucceeded || sha256.Sum256(p.Preimage[:]) != p.Hash {
		t.Fatalf("payment %s, preimage %x does not match hash %x", p.Status, p.Preimage, p.Hash)
	}
	return p
}

// localMsat is our balance in a channel.
func localMsat(t *testing.T, n *node.Node, point string) uint64 {
	t.Helper()
	c := ourChannel(n, point)
	if c == nil {
		t.Fatalf("channel %s gone", point)
	}
	return c.LocalMsat
}

// TestNativePayments: our node, with one channel to the hub only, pays
// the shop two hops away, is paid by the hub and by the shop (through the
// route hint), makes 100 payments in a row, splits a payment larger than
// any one route, and gets a clear error, with nothing locked, for each
// payment that cannot work.
func TestNativePayments(t *testing.T) {
	t.Parallel()
	d, log := startPlaygroundWith(t, devnet.Config{Shop: true})
	n, backend := nativeNode(t, d, log, 3_000_000)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// The push gives the hub more than its 10,000 sat reserve, so it can
	// pay us and forward the shop's payments to us.
	op, err := n.OpenChannel(ctx, node.OpenChannelRequest{NodePubkey: d.Hub.Pubkey, LocalFundingSat: 1_000_000, PushSat: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	point := op.String()
	waitActive(t, d, backend, n, point)
	waitRouteToShop(t, n, d)

	t.Run("pay the shop two hops away", func(t *testing.T) {
		before := localMsat(t, n, point)
		shopBefore := shopLocalSat(t, d)
		req, hash := shopInvoice(t, d, 10_000)
		p := paySucceeds(t, n, req)
		waitFor(t, 30*time.Second, "the shop's side of hub → shop grew by the amount", func() (bool, string) {
			got := shopLocalSat(t, d)
			return got-shopBefore == 10_000, fmt.Sprintf("grew %d sat", got-shopBefore)
		})
		if st, paid := lndInvoiceState(t, d.Shop, hash); st != "SETTLED" || paid != 10_000_000 {
			t.Fatalf("shop's invoice %s, paid %d msat", st, paid)
		}
		if len(p.Attempts) == 0 || len(p.Attempts[len(p.Attempts)-1].Hops) != 2 {
			t.Fatalf("want a two-hop route: %+v", p.Attempts)
		}
		waitFor(t, 30*time.Second, "our balance moved by amount + fee", func() (bool, string) {
			after := localMsat(t, n, point)
			return before-after == 10_000_000+p.FeeMsat(), fmt.Sprintf("moved %d, fee %d", before-after, p.FeeMsat())
		})
		t.Logf("paid 10,000 sat to the shop, fee %d msat", p.FeeMsat())
		// Paying the same invoice again pays nothing: the same payment
		// comes back, with no new attempt, and the shop got one payment.
		again := paySucceeds(t, n, req)
		if len(again.Attempts) != len(p.Attempts) || again.Preimage != p.Preimage {
			t.Errorf("paying twice made %d attempts (first %d)", len(again.Attempts), len(p.Attempts))
		}
		if st, paid := lndInvoiceState(t, d.Shop, hash); st != "SETTLED" || paid != 10_000_000 {
			t.Errorf("after paying twice the shop's invoice is %s, paid %d msat", st, paid)
		}
	})

	t.Run("the hub pays our invoice", func(t *testing.T) {
		before := localMsat(t, n, point)
		rec, err := n.AddInvoice(node.AddInvoiceRequest{ValueMsat: 5_000_000, Memo: "from the hub"})
		if err != nil {
			t.Fatal(err)
		}
		// lnd routes over a new private channel only a few seconds after
		// it is active (FAILURE_REASON_NO_ROUTE, no HTLC sent, before).
		waitFor(t, 30*time.Second, "the hub pays our invoice", func() (bool, string) {
			st, why := lndPays(t, d.Hub, rec.PaymentRequest)
			if st != "SUCCEEDED" && why != "FAILURE_REASON_NO_ROUTE" {
				t.Fatalf("hub's payment %s: %s", st, why)
			}
			return st == "SUCCEEDED", why
		})
		waitInvoiceSettled(t, n, rec.PaymentHash, 5_000_000)
		waitFor(t, 30*time.Second, "our balance grew by 5,000 sat", func() (bool, string) {
			after := localMsat(t, n, point)
			return after-before == 5_000_000, fmt.Sprintf("grew %d", after-before)
		})
	})

	t.Run("the shop pays our invoice through the route hint", func(t *testing.T) {
		rec, err := n.AddInvoice(node.AddInvoiceRequest{ValueMsat: 7_000_000, Memo: "from the shop"})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := n.DecodePayReq(rec.PaymentRequest)
		if err != nil || len(inv.RouteHints) != 1 {
			t.Fatalf("our invoice's route hints: %v %v", inv, err)
		}
		if st, why := lndPays(t, d.Shop, rec.PaymentRequest); st != "SUCCEEDED" {
			t.Fatalf("shop's payment %s: %s", st, why)
		}
		waitInvoiceSettled(t, n, rec.PaymentHash, 7_000_000)
	})

	t.Run("100 payments in a row", func(t *testing.T) {
		start := time.Now()
		for i := range 100 {
			req, _ := shopInvoice(t, d, 1_000+int64(i))
			paySucceeds(t, n, req)
		}
		t.Logf("100 payments to the shop in %s", time.Since(start).Round(time.Millisecond))
	})

	t.Run("failures are reported and lock nothing", func(t *testing.T) {
		testPaymentFailures(t, d, n, point)
	})

	t.Run("a multi-part payment larger than any one route", func(t *testing.T) {
		testMPP(t, d, n, backend)
	})
}

// waitInvoiceSettled waits until our invoice is settled for amt msat.
func waitInvoiceSettled(t *testing.T, n *node.Node, hash [32]byte, amt uint64) {
	t.Helper()
	waitFor(t, 30*time.Second, "our invoice settled", func() (bool, string) {
		recs, err := n.ListInvoices()
		for _, r := range recs {
			if r.PaymentHash == hash {
				return r.State == invoice.StateSettled && r.AmountPaidMsat == amt, fmt.Sprintf("%s paid %d", r.State, r.AmountPaidMsat)
			}
		}
		return false, fmt.Sprint(err)
	})
}

// testPaymentFailures checks each failure's error and that no HTLC stays
// in the channel and the balance is unchanged.
func testPaymentFailures(t *testing.T, d *devnet.Devnet, n *node.Node, point string) {
	waitFor(t, 30*time.Second, "the last payment's HTLC gone from the commitment", func() (bool, string) {
		c := ourChannel(n, point)
		return c.NumHTLCs == 0, fmt.Sprintf("%d HTLCs", c.NumHTLCs)
	})
	before := localMsat(t, n, point)
	expectFail := func(name, req string, want error, wantText string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		_, err := n.SendPayment(ctx, node.SendPaymentRequest{PaymentRequest: req})
		if !errors.Is(err, want) {
			t.Errorf("%s: error %v, want %v", name, err, want)
		} else if wantText != "" && !strings.Contains(err.Error(), wantText) {
			t.Errorf("%s: error %q does not say %q", name, err, wantText)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	big, _ := shopInvoice(t, d, 2_500_000)
	expectFail("more than we can send", big, pay.ErrInsufficientBalance, "")
	expired, _ := shopInvoice(t, d, 1_000, "--expiry", "1")
	time.Sleep(2 * time.Second)
	expectFail("expired invoice", expired, pay.ErrInvoiceExpired, "")
	// BOLT 11's first example: a mainnet invoice.
	const mainnet = "lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq357wnc5r2ueh7ck6q93dj32dlqnls087fxdwk8qakdyafkq3yap9us6v52vjjsrvywa6rt52cm9r9zqt8r2t7mlcwspyetp5h2tztugp9lfyql"
	expectFail("invoice of another network", mainnet, invoice.ErrWrongNetwork, "")
	island := islandInvoice(t, d)
	expectFail("no route", island, pay.ErrNoRoute, "")
	canceled, hash := shopInvoice(t, d, 2_000)
	if err := d.Shop.CLI(context.Background(), nil, "cancelinvoice", hash); err != nil {
		t.Fatal(err)
	}
	expectFail("the shop fails the HTLC", canceled, pay.ErrFailed, "incorrect_or_unknown_payment_details")
	waitFor(t, 30*time.Second, "no HTLC left and the balance unchanged", func() (bool, string) {
		c := ourChannel(n, point)
		return c.NumHTLCs == 0 && c.LocalMsat == before, fmt.Sprintf("%d HTLCs, balance %d (was %d)", c.NumHTLCs, c.LocalMsat, before)
	})
}

// islandInvoice is an invoice of an lnd with no channels at all.
func islandInvoice(t *testing.T, d *devnet.Devnet) string {
	t.Helper()
	bin, err := devnet.EnsureLnd(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l, err := d.StartLnd(context.Background(), "island", bin, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := lndInvoice(t, l, 1_000)
	return req
}

// lndInvoice has any lnd issue an invoice for sat, with extra lncli
// addinvoice flags.
func lndInvoice(t testing.TB, l *devnet.Lnd, sat int64, extra ...string) (string, string) {
	t.Helper()
	var inv struct {
		Hash string `json:"r_hash"`
		Req  string `json:"payment_request"`
	}
	args := append([]string{"addinvoice", "--amt", strconv.FormatInt(sat, 10)}, extra...)
	if err := l.CLI(context.Background(), &inv, args...); err != nil {
		t.Fatal(err)
	}
	return inv.Req, inv.Hash
}

// testMPP opens a second channel and pays the shop more than either
// channel can carry alone.
func testMPP(t *testing.T, d *devnet.Devnet, n *node.Node, backend *chain.Neutrino) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	op, err := n.OpenChannel(ctx, node.OpenChannelRequest{NodePubkey: d.Hub.Pubkey, LocalFundingSat: 400_000})
	if err != nil {
		t.Fatal(err)
	}
	waitActive(t, d, backend, n, op.String())
	var largest uint64
	for _, c := range n.ChannelInfos() {
		largest = max(largest, c.LocalMsat)
	}
	amtSat := int64(largest/1000) + 150_000
	req, hash := shopInvoice(t, d, amtSat)
	p := paySucceeds(t, n, req)
	parts := 0
	for _, a := range p.Attempts {
		if a.Status == pay.StatusSucceeded {
			parts++
		}
	}
	if parts < 2 {
		t.Fatalf("paid %d sat (largest channel %d msat) in %d part(s)", amtSat, largest, parts)
	}
	if st, paid := lndInvoiceState(t, d.Shop, hash); st != "SETTLED" || paid != amtSat*1000 {
		t.Fatalf("shop's invoice %s, paid %d msat", st, paid)
	}
	t.Logf("paid %d sat in %d parts (%d attempts); largest channel could send %d msat", amtSat, parts, len(p.Attempts), largest)
}
