package kyc_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeRunBy matches the first line of a README code block that a runnable example holds
// verbatim: "// Run by ExampleName (file_test.go), ..."; the file may be in a subdirectory
// ("kycotel/example_test.go": the separate modules' examples).
var readmeRunBy = regexp.MustCompile(`^// Run by (\w+) \(([\w/]+_test\.go)\)`)

// TestREADMEMirrorsExamples checks that every README Go block marked "// Run by Example_X
// (file_test.go)" appears, line by line and in order (indentation aside), in that file, within
// the named function or a function it calls from the same file: the README's code then compiles
// and runs as shown. It fails if a block names a function that does not exist, and needs at
// least the three journey blocks (H5 handlers, the bill).
func TestREADMEMirrorsExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := 0
	lines := strings.Split(string(readme), "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] != "```go" || i+1 >= len(lines) {
			continue
		}
		m := readmeRunBy.FindStringSubmatch(lines[i+1])
		if m == nil {
			continue
		}
		var block []string
		for i += 2; i < len(lines) && lines[i] != "```"; i++ {
			if l := strings.TrimSpace(lines[i]); l != "" {
				block = append(block, l)
			}
		}
		blocks++
		src := exampleSource(t, m[2], m[1])
		if src == nil {
			t.Errorf("README block names %s in %s, which has no such function", m[1], m[2])
			continue
		}
		at := 0
		for _, want := range block {
			for at < len(src) && src[at] != want {
				at++
			}
			if at == len(src) {
				t.Errorf("README block run by %s: line not found (in order) in the example: %s", m[1], want)
				break
			}
			at++
		}
	}
	if blocks < 2 {
		t.Errorf("found %d README blocks marked \"// Run by\"; want the H5 handlers and the bill", blocks)
	}
}

// exampleSource returns the trimmed, non-blank source lines of function name in file, followed
// by those of the other functions of the file (helpers the example calls); nil if there is no
// such function.
func exampleSource(t *testing.T, file, name string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, b, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var first, rest []string
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		var ls []string
		for _, l := range strings.Split(string(b[fset.Position(fd.Pos()).Offset:fset.Position(fd.End()).Offset]), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				ls = append(ls, l)
			}
		}
		if fd.Name.Name == name {
			first = ls
		} else {
			rest = append(rest, ls...)
		}
	}
	if first == nil {
		return nil
	}
	return append(first, rest...)
}
