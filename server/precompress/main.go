// Command precompress writes .br and .gz beside each file named on its
// command line and prints their sizes; `make wasm` runs it on lnwasm.wasm.
package main

import (
	"fmt"
	"os"

	"lnwasm/server/assets"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: precompress FILE...")
		os.Exit(2)
	}
	for _, path := range os.Args[1:] {
		s, err := assets.Precompress(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%s: raw %d B, gzip %d B, brotli %d B\n", path, s.Raw, s.Gzip, s.Brotli)
	}
}
