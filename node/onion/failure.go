package onion

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"lnwasm/node/lnwire"
)

// ErrInvalidFailure is wrapped by every error DecodeFailure and Encode
// return, so a caller can tell a garbled failure from other trouble.
var ErrInvalidFailure = errors.New("invalid failure message")

// Failure is one BOLT 4 failure message: a failure_code and the data that
// code carries. Only the fields of its code are used; the rest stay zero.
//
// BOLT 4: The failure message encapsulated in `failuremsg` has an
// identical format as a normal message: a 2-byte type `failure_code`
// followed by data applicable to that type. The message data is followed
// by an optional TLV stream.
type Failure struct {
	Code FailureCode
	// HTLCMsat is htlc_msat (amount_below_minimum, fee_insufficient,
	// incorrect_or_unknown_payment_details) or incoming_htlc_amt
	// (final_incorrect_htlc_amount).
	HTLCMsat uint64
	// CLTVExpiry is cltv_expiry (incorrect_cltv_expiry,
	// final_incorrect_cltv_expiry).
	CLTVExpiry uint32
	// Height is the recipient's block height
	// (incorrect_or_unknown_payment_details).
	Height uint32
	// ChannelUpdate is the channel_update every UPDATE-flag code carries.
	ChannelUpdate *lnwire.ChannelUpdate
	// Flags is disabled_flags (channel_disabled).
	Flags uint16
	// Type and Offset narrow an invalid_onion_payload down to a record.
	Type   uint64
	Offset uint16
	// OnionHash is sha256_of_onion (the BADONION codes).
	OnionHash [32]byte
	// Data is, for a code we do not parse, everything after the code; for
	// one we do, the bytes after its fields (the optional TLV stream),
	// kept so the message re-encodes unchanged.
	Data []byte
}

// Error is a sentence a person can read, starting with the code's spec
// name, then the data that helps tell why.
func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString(f.Code.String())
	if info, ok := codes[f.Code]; ok {
		b.WriteString(": ")
		b.WriteString(info.text)
	}
	if d := f.details(); d != "" {
		b.WriteString(" (" + d + ")")
	}
	return b.String()
}

// details lists the data fields of f's code.
func (f *Failure) details() string {
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	switch f.Code {
	case CodeAmountBelowMinimum, CodeFeeInsufficient:
		add("htlc_msat %d", f.HTLCMsat)
	case CodeIncorrectOrUnknownPaymentDetails:
		add("htlc_msat %d, height %d", f.HTLCMsat, f.Height)
	case CodeFinalIncorrectHTLCAmount:
		add("incoming_htlc_amt %d", f.HTLCMsat)
	case CodeIncorrectCLTVExpiry, CodeFinalIncorrectCLTVExpiry:
		add("cltv_expiry %d", f.CLTVExpiry)
	case CodeChannelDisabled:
		add("disabled_flags %#04x", f.Flags)
	case CodeInvalidOnionPayload:
		add("tlv type %d at offset %d", f.Type, f.Offset)
	}
	if f.ChannelUpdate != nil {
		add("channel_update for %s", f.ChannelUpdate.ShortChannelID)
	}
	if f.Code.BadOnion() && f.Code.Known() {
		add("sha256_of_onion %x", f.OnionHash[:])
	}
	return strings.Join(parts, ", ")
}

// Encode writes failure_code and its data, unpadded (EncryptFailure pads).
func (f *Failure) Encode() ([]byte, error) {
	var w bytes.Buffer
	putU16(&w, uint16(f.Code))
	if err := f.encodeFields(&w); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidFailure, f.Code, err)
	}
	w.Write(f.Data)
	if w.Len() > math.MaxUint16 {
		return nil, fmt.Errorf("%w: %s: %d bytes do not fit failure_len", ErrInvalidFailure, f.Code, w.Len())
	}
	return w.Bytes(), nil
}

// encodeFields writes the data fields of f's code, in spec order.
func (f *Failure) encodeFields(w *bytes.Buffer) error {
	switch f.Code {
	case CodeInvalidOnionVersion, CodeInvalidOnionHMAC, CodeInvalidOnionKey, CodeInvalidOnionBlinding:
		w.Write(f.OnionHash[:])
	case CodeAmountBelowMinimum, CodeFeeInsufficient:
		putU64(w, f.HTLCMsat)
	case CodeIncorrectCLTVExpiry, CodeFinalIncorrectCLTVExpiry:
		putU32(w, f.CLTVExpiry)
	case CodeIncorrectOrUnknownPaymentDetails:
		putU64(w, f.HTLCMsat)
		putU32(w, f.Height)
	case CodeFinalIncorrectHTLCAmount:
		putU64(w, f.HTLCMsat)
	case CodeChannelDisabled:
		putU16(w, f.Flags)
	case CodeInvalidOnionPayload:
		if err := lnwire.WriteBigSize(w, f.Type); err != nil {
			return err
		}
		putU16(w, f.Offset)
	}
	if f.Code.HasUpdate() && f.Code.Known() {
		return encodeUpdate(w, f.ChannelUpdate)
	}
	return nil
}

// encodeUpdate writes the `u16:len` + `channel_update` pair.
//
// BOLT 4: It is encoded *with* the message type prefix, i.e. it should
// always start with `0x0102`.
func encodeUpdate(w *bytes.Buffer, u *lnwire.ChannelUpdate) error {
	if u == nil {
		return errors.New("channel_update is mandatory for this code")
	}
	var body bytes.Buffer
	putU16(&body, uint16(lnwire.MsgChannelUpdate))
	if err := u.Encode(&body); err != nil {
		return fmt.Errorf("channel_update: %w", err)
	}
	if body.Len() > math.MaxUint16 {
		return fmt.Errorf("channel_update of %d bytes does not fit its u16 length", body.Len())
	}
	putU16(w, uint16(body.Len()))
	w.Write(body.Bytes())
	return nil
}

// DecodeFailure reads failure_code and the data its code defines. Every
// length is checked against the bytes that remain, and a field cut short
// is an error; bytes after the fields (the optional TLV stream) are kept
// in Data.
//
// BOLT 4, the origin node: MUST ignore any extra bytes in `failuremsg`.
func DecodeFailure(b []byte) (*Failure, error) {
	r := lnwire.NewReader(b)
	f := &Failure{Code: FailureCode(r.U16("failure_code"))}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidFailure, err)
	}
	if err := f.decodeFields(r); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidFailure, f.Code, err)
	}
	f.Data = r.Bytes("data", r.Len())
	return f, nil
}

// decodeFields reads the data fields of f's code, in spec order.
func (f *Failure) decodeFields(r *lnwire.Reader) error {
	switch f.Code {
	case CodeInvalidOnionVersion, CodeInvalidOnionHMAC, CodeInvalidOnionKey, CodeInvalidOnionBlinding:
		f.OnionHash = r.Bytes32("sha256_of_onion")
	case CodeAmountBelowMinimum, CodeFeeInsufficient:
		f.HTLCMsat = r.U64("htlc_msat")
	case CodeIncorrectCLTVExpiry, CodeFinalIncorrectCLTVExpiry:
		f.CLTVExpiry = r.U32("cltv_expiry")
	case CodeIncorrectOrUnknownPaymentDetails:
		f.decodePaymentDetails(r)
	case CodeFinalIncorrectHTLCAmount:
		f.HTLCMsat = r.U64("incoming_htlc_amt")
	case CodeChannelDisabled:
		f.Flags = r.U16("disabled_flags")
	case CodeInvalidOnionPayload:
		if err := f.decodePayloadPosition(r); err != nil {
			return err
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	if f.Code.HasUpdate() && f.Code.Known() {
		u, err := decodeUpdate(r)
		if err != nil {
			return err
		}
		f.ChannelUpdate = u
	}
	return nil
}

// decodePaymentDetails reads htlc_msat and height, accepting the older
// forms that end before either (as lnd does), but not a field cut short.
//
// BOLT 4: The `htlc_msat` parameter is superfluous, but left in for
// backwards compatibility.
func (f *Failure) decodePaymentDetails(r *lnwire.Reader) {
	if r.Len() == 0 {
		return
	}
	f.HTLCMsat = r.U64("htlc_msat")
	if r.Len() == 0 {
		return
	}
	f.Height = r.U32("height")
}

// decodePayloadPosition reads invalid_onion_payload's bigsize type and u16
// offset. lnwire.Reader has no BigSize, so the rest is taken as bytes and
// the reader is replaced by one over what follows the two fields.
func (f *Failure) decodePayloadPosition(r *lnwire.Reader) error {
	b := r.Bytes("type", r.Len())
	rest := bytes.NewReader(b)
	typ, err := lnwire.ReadBigSize(rest)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return fmt.Errorf("type: %w", err)
	}
	var off [2]byte
	if _, err := io.ReadFull(rest, off[:]); err != nil {
		return fmt.Errorf("offset: %w", io.ErrUnexpectedEOF)
	}
	f.Type, f.Offset = typ, binary.BigEndian.Uint16(off[:])
	*r = *lnwire.NewReader(b[len(b)-rest.Len():])
	return nil
}

// decodeUpdate reads the `u16:len` + `channel_update` pair.
//
// BOLT 4: It is encoded *with* the message type prefix, i.e. it should
// always start with `0x0102`. Note that historical lightning
// implementations serialized this without the `0x0102` message type.
func decodeUpdate(r *lnwire.Reader) (*lnwire.ChannelUpdate, error) {
	body := r.VarBytes("channel_update")
	if err := r.Err(); err != nil {
		return nil, err
	}
	if len(body) >= 2 && binary.BigEndian.Uint16(body) == uint16(lnwire.MsgChannelUpdate) {
		body = body[2:]
	}
	u := new(lnwire.ChannelUpdate)
	if err := u.Decode(lnwire.NewReader(body)); err != nil {
		return nil, fmt.Errorf("channel_update: %w", err)
	}
	return u, nil
}

// putU16, putU32 and putU64 append big-endian integers; writes to a
// bytes.Buffer cannot fail.
func putU16(w *bytes.Buffer, v uint16) { w.Write(binary.BigEndian.AppendUint16(nil, v)) }
func putU32(w *bytes.Buffer, v uint32) { w.Write(binary.BigEndian.AppendUint32(nil, v)) }
func putU64(w *bytes.Buffer, v uint64) { w.Write(binary.BigEndian.AppendUint64(nil, v)) }
