package lnwire

import (
	"fmt"
	"strings"
)

// ErrUnknownRequired is returned by Negotiate when the peer requires
// features we do not support. Bits holds the first maxReportedBits of them,
// enough for a person to read, however many a peer sets.
//
// BOLT 1 (init), the receiving node: upon receiving unknown _even_ feature
// bits that are non-zero: MUST close the connection.
type ErrUnknownRequired struct {
	Bits []FeatureBit
}

// maxReportedBits bounds ErrUnknownRequired.Bits.
const maxReportedBits = 16

func (e *ErrUnknownRequired) Error() string {
	nums := make([]string, len(e.Bits))
	for i, b := range e.Bits {
		nums[i] = fmt.Sprint(uint32(b))
	}
	if len(nums) == 1 {
		return "peer requires feature bit " + nums[0] + " which we do not know"
	}
	return "peer requires feature bits " + strings.Join(nums, ", ") + " which we do not know"
}

// ErrMissingDependency is returned when a vector sets a feature without a
// feature it depends on.
type ErrMissingDependency struct {
	Feature FeatureBit
	Missing FeatureBit
}

func (e *ErrMissingDependency) Error() string {
	return fmt.Sprintf("feature %s (bit %d) requires %s (bits %d/%d), which is not set",
		featureName(e.Feature), uint32(e.Feature), featureName(e.Missing),
		uint32(e.Missing.Required()), uint32(e.Missing.Optional()))
}

// ValidateDependencies checks that every feature the vector offers has the
// features BOLT 9 says it depends on, transitively.
func (f FeatureVector) ValidateDependencies() error {
	for b := range f.All() {
		for _, dep := range featureDeps[b.Required()] {
			if !f.Supports(dep) {
				return &ErrMissingDependency{Feature: b, Missing: dep}
			}
		}
	}
	return nil
}

// Negotiate checks a peer's init features against ours and returns the
// features the connection has: each one set as required if either side
// requires it, else optional.
//
// BOLT 1: A feature is *negotiated* if either both peers offered it, or the
// local node offered it as even: it can assume the peer supports it, as it
// did not disconnect as it would be required to do. The receiving node:
// upon receiving unknown _odd_ feature bits that are non-zero: MUST ignore
// the bit. [...] if the feature vector does not set all known, transitive
// dependencies: MUST close the connection.
//
// Both errors mean the connection must be closed. Dependencies on features
// BOLT 9 now calls ASSUMED count as met even if the peer omits their bits.
func Negotiate(ours, theirs FeatureVector) (FeatureVector, error) {
	var unknown []FeatureBit
	for b := range theirs.All() {
		if b.IsRequired() && !ours.Supports(b) {
			unknown = append(unknown, b)
			if len(unknown) == maxReportedBits {
				break
			}
		}
	}
	if len(unknown) > 0 {
		return FeatureVector{}, &ErrUnknownRequired{Bits: unknown}
	}
	withAssumed := theirs.Union(NewFeatureVector(assumedFeatures...))
	if err := withAssumed.ValidateDependencies(); err != nil {
		return FeatureVector{}, fmt.Errorf("peer features: %w", err)
	}
	var agreed FeatureVector
	for b := range ours.All() {
		even := b.Required()
		if agreed.Supports(even) || !(theirs.Supports(even) || ours.Has(even)) {
			continue
		}
		if ours.Has(even) || theirs.Has(even) {
			agreed.Set(even)
		} else {
			agreed.Set(even.Optional())
		}
	}
	return agreed, nil
}
