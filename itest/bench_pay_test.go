package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lnwasm/node"
	"lnwasm/server/devnet"
)

// payRounds is how many payments each side makes; the median is reported.
const payRounds = 50

// lndPayLatency has the playground's payer lnd pay n shop invoices and
// returns lnd's own times (payment creation to HTLC resolution).
func lndPayLatency(b *testing.B, payer *devnet.Lnd, d *devnet.Devnet, n int) []time.Duration {
	var out []time.Duration
	for i := range n {
		req, _ := shopInvoice(b, d, 1_000+int64(i))
		raw, err := payer.CLIOut(context.Background(), "payinvoice", "--pay_req", req, "--force", "--json", "--timeout", "60s")
		var p struct {
			Status  string `json:"status"`
			Created string `json:"creation_time_ns"`
			HTLCs   []struct {
				Resolved string `json:"resolve_time_ns"`
			} `json:"htlcs"`
		}
		if jerr := json.Unmarshal(raw, &p); jerr != nil || p.Status != "SUCCEEDED" || len(p.HTLCs) == 0 {
			b.Fatalf("lnd payment: %v %s", err, raw)
		}
		c, _ := strconv.ParseInt(p.Created, 10, 64)
		r, _ := strconv.ParseInt(p.HTLCs[len(p.HTLCs)-1].Resolved, 10, 64)
		out = append(out, time.Duration(r-c))
	}
	return out
}

func medianOf(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// BenchmarkPaymentLatencyNative: our native node and an lnd, each with a
// channel to the hub, pay the shop through the hub, payRounds times each,
// alternating; the medians and their ratio.
func BenchmarkPaymentLatencyNative(b *testing.B) {
	d, n := benchNodeWithHubChannel(b)
	waitRouteToShop(b, n, d)
	var ours, lnd []time.Duration
	for i := 0; i < b.N; i++ {
		for j := range payRounds {
			req, _ := shopInvoice(b, d, 2_000+int64(j))
			start := time.Now()
			paySucceeds(b, n, req)
			ours = append(ours, time.Since(start))
			lnd = append(lnd, lndPayLatency(b, d.Payer, d, 1)...)
		}
	}
	o, l := medianOf(ours), medianOf(lnd)
	b.ReportMetric(float64(o.Microseconds())/1000, "ours-ms")
	b.ReportMetric(float64(l.Microseconds())/1000, "lnd-ms")
	b.ReportMetric(float64(o)/float64(l), "ours/lnd")
	b.Logf("payment latency through the hub to the shop, median of %d: ours (native) %v, lnd %v (x%.2f)", len(ours), o, l, float64(o)/float64(l))
}

// BenchmarkPaymentLatencyPage: the page in Chromium and the playground's
// payer lnd pay the shop through the hub; also the time from connecting
// to the hub to a complete graph in a fresh browser profile, and the
// engine's memory once it has its channel (reportMemory).
func BenchmarkPaymentLatencyPage(b *testing.B) {
	s := startServer(b, "-devnet-shop", "-devnet-payer")
	ctx := newBrowser(b, "")
	if err := chromedp.Run(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		b.Fatal(err)
	}
	waitPageSynced(b, ctx, s.info(b).Height)
	evalJS(b, ctx, `window.lnwasm.createWallet({password: "correct horse battery"})`)
	addr := evalJS(b, ctx, `window.lnwasm.newAddress({type: "p2wkh"}).then(a => a.address)`)
	if r, err := httpPost(s.URL+"/devnet/faucet", fmt.Sprintf(`{"address": %s, "amountSat": 3000000}`, addr)); err != nil || r.StatusCode != 200 {
		b.Fatalf("faucet: %v", err)
	}
	var info devnetInfo
	s.getJSON(b, "/devnet/info", &info)
	waitFor(b, 90*time.Second, "the faucet's coins", func() (bool, string) {
		got := evalJS(b, ctx, `window.lnwasm.walletBalance().then(b => b.confirmedSat)`)
		return got == "3000000", got
	})
	start := time.Now()
	evalJS(b, ctx, fmt.Sprintf(`window.lnwasm.connect({pubkey: %q, host: %q})`, info.Hub.Pubkey, info.Hub.Host))
	waitFor(b, 120*time.Second, "a complete graph in the page", func() (bool, string) {
		got := evalJS(b, ctx, `window.lnwasm.getInfo().then(i => i.graphSynced && i.graphChannels >= 1)`)
		return got == "true", got
	})
	graph := time.Since(start)
	evalJS(b, ctx, fmt.Sprintf(`window.lnwasm.openChannel({nodePubkey: %q, localFundingAmountSat: 2000000})`, info.Hub.Pubkey))
	s.mine(b, 3)
	waitFor(b, 90*time.Second, "the page's channel active", func() (bool, string) {
		got := evalJS(b, ctx, `window.lnwasm.listChannels().then(c => c.channels.length === 1 && c.channels[0].state === "active")`)
		return got == "true", got
	})
	reportMemory(b, ctx, s)
	var ours, lnd []time.Duration
	for i := 0; i < b.N; i++ {
		for j := range payRounds {
			r, err := httpPost(s.URL+"/devnet/shop/invoice", fmt.Sprintf(`{"amountSat": %d}`, 2_000+j))
			if err != nil {
				b.Fatal(err)
			}
			var inv struct {
				PaymentRequest string `json:"paymentRequest"`
			}
			if err := decodeJSON(r, &inv); err != nil {
				b.Fatal(err)
			}
			ms := evalJS(b, ctx, fmt.Sprintf(`(async () => { const t0 = performance.now();
			  const p = await window.lnwasm.sendPayment({paymentRequest: %q});
			  if (p.status !== "SUCCEEDED") throw new Error(p.status);
			  return performance.now() - t0; })()`, inv.PaymentRequest))
			f, _ := strconv.ParseFloat(ms, 64)
			ours = append(ours, time.Duration(f*float64(time.Millisecond)))
			lnd = append(lnd, lndPayOverHTTP(b, s))
		}
	}
	o, l := medianOf(ours), medianOf(lnd)
	b.ReportMetric(float64(o.Microseconds())/1000, "page-ms")
	b.ReportMetric(float64(l.Microseconds())/1000, "lnd-ms")
	b.ReportMetric(float64(o)/float64(l), "page/lnd")
	b.ReportMetric(float64(graph.Milliseconds()), "graph-ms")
	b.Logf("payment latency through the hub to the shop, median of %d: page %v, lnd %v (x%.2f); connect → complete graph %v",
		len(ours), o, l, float64(o)/float64(l), graph)
}

// benchNodeWithHubChannel starts the playground with the shop and the
// payer lnd (whose own channel to the hub is 2,000,000 sat) and gives our
// native node a 2,000,000 sat channel to the hub, active.
func benchNodeWithHubChannel(b *testing.B) (*devnet.Devnet, *node.Node) {
	d, log := startPlaygroundWith(b, devnet.Config{Shop: true, Payer: true})
	n, backend := nativeNode(b, d, log, 3_000_000)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	op, err := n.OpenChannel(ctx, node.OpenChannelRequest{NodePubkey: d.Hub.Pubkey, LocalFundingSat: 2_000_000})
	if err != nil {
		b.Fatal(err)
	}
	waitActive(b, d, backend, n, op.String())
	return d, n
}

// lndPayOverHTTP has the payer lnd pay a shop invoice and returns lnd's
// own latency.
func lndPayOverHTTP(b *testing.B, s *server) time.Duration {
	r, err := httpPost(s.URL+"/devnet/shop/invoice", `{"amountSat": 1500}`)
	if err != nil {
		b.Fatal(err)
	}
	var inv struct {
		PaymentRequest string `json:"paymentRequest"`
	}
	if err := decodeJSON(r, &inv); err != nil {
		b.Fatal(err)
	}
	r, err = httpPost(s.URL+"/devnet/payer/pay", fmt.Sprintf(`{"paymentRequest": %q}`, inv.PaymentRequest))
	if err != nil {
		b.Fatal(err)
	}
	var p struct {
		Status  string  `json:"status"`
		Latency float64 `json:"latencyMs"`
	}
	if err := decodeJSON(r, &p); err != nil || p.Status != "SUCCEEDED" || p.Latency <= 0 {
		b.Fatalf("payer: %+v %v", p, err)
	}
	return time.Duration(p.Latency * float64(time.Millisecond))
}

// evalJS awaits a JS expression and returns its JSON.
func evalJS(b testing.TB, ctx context.Context, expr string) string {
	b.Helper()
	var out any
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Run(tctx, chromedp.Evaluate(expr, &out, awaitPromise)); err != nil {
		b.Fatalf("%.60s: %v", expr, err)
	}
	raw, _ := json.Marshal(out)
	return string(raw)
}
