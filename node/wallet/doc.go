// Package wallet is the node's on-chain wallet: addresses from the seed's
// accounts with a gap limit, the UTXO set found through compact filters
// (chain.Backend's Rescan, from the wallet's birthday height), and balances.
// Sending (coin selection, PSBT signing, broadcast, RBF) and the other
// account types arrive with the rest of the wallet issue.
//
// A light client sees no mempool: a payment to us shows once mined. Every
// change is written to the store in one transaction per sync, so a reload
// resumes from the last synced height.
package wallet
