// Package itest holds the integration tests: real btcd in regtest, our real
// bridge and server, and the page in real headless Chromium driven by
// chromedp. The harness builds and caches what it needs (btcd, Chromium).
package itest
