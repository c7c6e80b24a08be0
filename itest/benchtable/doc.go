// Command benchtable turns the output of `make bench` into one table: each
// figure with the peer it is measured against in the same run and the
// ratio, printed as Markdown and written as JSON. It reads one file per
// benchmark step (bridge.txt, noise.txt, noise-wasm.txt, brontide.txt,
// graph.txt, graph-wasm.txt, itest.txt) from the directory it is given.
package main
