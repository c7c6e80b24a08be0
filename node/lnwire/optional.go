package lnwire

// Optional holds a TLV field that may be absent. Presence is explicit
// because for some fields it carries meaning of its own: an open_channel
// with an empty upfront_shutdown_script says "no script", one without the
// record says nothing.
type Optional[T any] struct {
	Value   T
	Present bool
}

// Some returns a present field holding v.
func Some[T any](v T) Optional[T] { return Optional[T]{Value: v, Present: true} }

// Get returns the value and whether it is present.
func (o Optional[T]) Get() (T, bool) { return o.Value, o.Present }
