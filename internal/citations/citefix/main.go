// Command citefix rewrites the old "spec A 4.4" citations of a source tree into their docs/ form
// ("docs/A-auth-sign-face.md §4.4") in every .go, .md and .json file, in place, and prints the files it
// changed. It is idempotent: run it again after merging branches that still use the old form.
//
//	go run ./internal/citations/citefix [root]
package main

import (
	"fmt"
	"os"

	"github.com/kycgo/kyc/internal/citations"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	if err := run(root); err != nil {
		fmt.Fprintln(os.Stderr, "citefix:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	return citations.Walk(root, func(path, text string) error {
		updated := citations.Rewrite(text)
		if updated == text {
			return nil
		}
		info, err := os.Stat(path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(updated), info.Mode().Perm()); err != nil {
			return err
		}
		fmt.Println(path)
		return nil
	})
}
