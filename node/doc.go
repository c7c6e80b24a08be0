// Package node wires the Lightning engine together behind one public Go
// API, Node, whose methods follow lnd's RPCs (CreateWallet, UnlockWallet,
// Connect, ListPeers, GetInfo, ...). It owns the wallet's lifecycle (seed
// sealed in the store, unlocked with the password) and the set of peers; the
// protocol lives in the packages below it (noise, lnwire, peer, keys).
//
// Node does no platform I/O of its own: the caller supplies the store, the
// dial function and the chain backend (natively TCP and a file or memory
// store; in the browser the bridge and IndexedDB).
package node
