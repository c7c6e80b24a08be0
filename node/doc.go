// Package node wires the Lightning engine together behind one public Go API.
// It is empty until the wire issue lands; the chain it will use is chain.Backend.
package node
