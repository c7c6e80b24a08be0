// Package chain is the node's view of the Bitcoin chain: the Backend
// interface that node/ uses (best block, block notifications, sync progress,
// confirmations, spends, rescans, broadcast, fee rate), its implementation on
// BIP157/158 compact filters with neutrino, and a walletdb driver that runs
// under GOOS=js, where bbolt does not compile.
//
// The package opens no sockets and resolves no names by itself: every
// connection goes through a dial function its caller supplies (the bridge in
// a browser, plain TCP in native tests).
package chain
