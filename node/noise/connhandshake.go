package noise

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// handshake runs acts over conn under the configured timeout and context,
// and turns the Session into a Conn. The deadline is put on conn itself, so
// a blocked Read or Write wakes when it passes; cancelling the context moves
// the deadline into the past for the same effect. conn's deadline is cleared
// again on success and conn is closed on failure.
func handshake(conn net.Conn, cfg *config, acts func() (*Session, error)) (*Conn, error) {
	ctx := cfg.ctx
	if cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.timeout)
		defer cancel()
	}
	sess, err := runBounded(ctx, conn, acts)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("noise: clearing the handshake deadline: %w", err)
	}
	return &Conn{conn: conn, remotePub: sess.RemoteStatic, recv: sess.Recv, send: sess.Send}, nil
}

// runBounded calls acts with conn's deadline tied to ctx. If ctx ends while
// the acts are in flight, the error names the context's reason.
func runBounded(ctx context.Context, conn net.Conn, acts func() (*Session, error)) (*Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, handshakeErr(1, err, "")
	}
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return nil, handshakeErr(1, fmt.Errorf("setting deadline: %w", err), "")
		}
	}
	interrupted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		// A time long past: wakes every blocked Read and Write at once.
		conn.SetDeadline(time.Unix(1, 0))
		close(interrupted)
	})
	sess, err := acts()
	if !stop() {
		<-interrupted
		if err == nil {
			// The acts finished as the context ended; the caller has given up.
			return nil, handshakeErr(3, ctx.Err(), "")
		}
	}
	if err != nil {
		explainDeadline(ctx, err)
	}
	return sess, err
}

// explainDeadline adds the context's reason to a handshake error caused by
// conn's deadline. conn's own deadline can pass a moment before ctx notices
// its own, so a deadline on ctx counts as the cause even if ctx.Err() is
// still nil.
func explainDeadline(ctx context.Context, err error) {
	var he *HandshakeError
	if !errors.As(err, &he) || !errors.Is(he.Reason, os.ErrDeadlineExceeded) {
		return
	}
	cause := ctx.Err()
	if _, ok := ctx.Deadline(); ok && cause == nil {
		cause = context.DeadlineExceeded
	}
	if cause != nil {
		he.Reason = fmt.Errorf("%w (%w)", he.Reason, cause)
	}
}

// clientActs is the initiator's exchange: write act one, read act two,
// write act three.
func clientActs(conn net.Conn, in *Initiator) (*Session, error) {
	act1, err := in.ActOne()
	if err != nil {
		return nil, err
	}
	if err := writeAct(conn, 1, act1); err != nil {
		return nil, err
	}
	var act2 [ActTwoSize]byte
	// A responder that fails act one's MAC check closes without a word
	// (BOLT 8: "terminate the connection without any further messages"), so
	// here EOF almost always means we dialled the wrong key.
	if err := readAct(conn, 2, act2[:],
		"the peer closed the connection after act one: it is probably not the node whose public key was given"); err != nil {
		return nil, err
	}
	act3, sess, err := in.RecvActTwo(act2[:])
	if err != nil {
		return nil, err
	}
	if err := writeAct(conn, 3, act3); err != nil {
		return nil, err
	}
	return sess, nil
}

// serverActs is the responder's exchange: read act one, write act two, read
// act three.
func serverActs(conn net.Conn, r *Responder) (*Session, error) {
	var act1 [ActOneSize]byte
	if err := readAct(conn, 1, act1[:], ""); err != nil {
		return nil, err
	}
	act2, err := r.RecvActOne(act1[:])
	if err != nil {
		return nil, err
	}
	if err := writeAct(conn, 2, act2); err != nil {
		return nil, err
	}
	var act3 [ActThreeSize]byte
	if err := readAct(conn, 3, act3[:], ""); err != nil {
		return nil, err
	}
	return r.RecvActThree(act3[:])
}

// readAct reads exactly one act ("Read exactly 50 bytes from the network
// buffer"); eofHint explains an EOF before any byte arrived.
func readAct(conn net.Conn, act int, buf []byte, eofHint string) error {
	if _, err := io.ReadFull(conn, buf); err != nil {
		hint := ""
		// Through the bridge in a browser the peer's close arrives as a
		// closed connection rather than EOF (the WebSocket layer loses it).
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
			hint = eofHint
		}
		return handshakeErr(act, fmt.Errorf("reading: %w", err), hint)
	}
	return nil
}

// writeAct writes one act.
func writeAct(conn net.Conn, act int, buf []byte) error {
	if _, err := conn.Write(buf); err != nil {
		return handshakeErr(act, fmt.Errorf("writing: %w", err), "")
	}
	return nil
}
