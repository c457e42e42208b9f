// Command citefix rewrites the old "spec A 4.4" citations of a source tree into their docs/ form
// ("docs/A-auth-sign-face.md §4.4") in every .go, .md and .json file, in place, and prints the files it
// changed. It is idempotent: run it again after merging branches that still use the old form.
//
//	go run ./internal/citations/citefix [root]
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

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
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// .git and the like; this package's own files show the old form on purpose.
			if (strings.HasPrefix(d.Name(), ".") && path != root) || filepath.ToSlash(path) == filepath.ToSlash(filepath.Join(root, "internal/citations")) {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".go" && ext != ".md" && ext != ".json" {
			return nil
		}
		old, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if updated := citations.Rewrite(string(old)); updated != string(old) {
			info, err := d.Info()
			if err != nil {
				return err
			}
			if err := os.WriteFile(path, []byte(updated), info.Mode().Perm()); err != nil {
				return err
			}
			fmt.Println(path)
		}
		return nil
	})
}
