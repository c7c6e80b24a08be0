// Package backup is the encrypted static channel backup file: the wallet
// seed and, for each channel, what a restored node needs to ask the peer
// to close it and to sweep our output of the peer's commitment (lnd's
// static channel backup, SCB, carries the same for the same reason).
//
// # File format (version 1)
//
//	offset  size  field
//	0       9     magic "LNWBACKUP"
//	9       1     format version (1)
//	10      1     seal version (1, node/keys)
//	11      3     scrypt log2(N), r, p
//	14      16    scrypt salt
//	30      24    XChaCha20-Poly1305 nonce
//	54      n+16  ciphertext of the JSON payload (File), then the tag
//
// The key is scrypt(password, salt) with the parameters in the header; all
// of bytes 0..53 are authenticated as associated data, so any change to
// the file fails as a wrong password would. Before anything is decrypted,
// the magic tells a file that is not a backup (ErrNotBackup), the version
// byte a backup from a newer format (ErrVersion), and the header's scrypt
// cost is bounded, so a hostile file cannot make the reader allocate
// gigabytes. A payload that decrypts but does not validate is
// ErrCorrupt.
//
// The payload holds no channel state beyond the funding (no balances, no
// commitments, no revocation secrets): a restored channel must never
// broadcast a commitment, and nothing in the file becomes stale as the
// channel is used. A new channel needs a new backup.
//
// The package owns the format and its validation; making the wallet and
// the channel records from it belongs to node.
package backup
