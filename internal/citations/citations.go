// Package citations keeps the repository's references to its API notes openable: the code and
// documents cite the notes in docs/ as "docs/A-auth-sign-face.md §4.4". Rewrite turns the older
// form, "spec A 4.4" (which named files that were not in the repository), into that one, and Refs
// finds every citation so that a test can check each names an existing file and heading.
// citefix (go run ./internal/citations/citefix) applies Rewrite to a tree; running it twice changes nothing the second time.
package citations

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Files maps the letter of an old citation to its file in docs/.
var Files = map[string]string{
	"A": "A-auth-sign-face.md",
	"B": "B-h5-wechat-billing.md",
	"C": "C-ocr-will-nfc-eid.md",
	"D": "D-api3-actions.md",
}

// A section number ("4", "4.4", "5.2.2"), optionally a range ("4.1-4.3", "2-6").
const section = `\d+(?:\.\d+)*(?:[-–]\d+(?:\.\d+)*)?`

// gap is what may separate a citation's parts: spaces, or a line break continuing a // or #
// comment or a Markdown paragraph.
const gap = `(?:[ \t]*\n[ \t]*(?://|#)?[ \t]*|[ \t]+)`

var (
	// OldForm matches what Rewrite rewrites: "spec A" (also across a comment's line break), a bare letter and dotted section after an
	// opening bracket or in a list ("(C 9.3)", ", A 7.2"), and the index (spec/README.md, spec README).
	OldForm = regexp.MustCompile(`\bspec` + gap + `[A-D]\b|\bspec[/ ]README\b|` + bare.String())

	// bare is the letter-only form of the older comments: "(C 9.3)", "(A 7.2, C 9.1)", "will C 9.2".
	bare = regexp.MustCompile(`(?:\(|(?:[;,]|\band|\bwill|\beID|\btable)[ \t]+)([A-D]) (\d+\.\d+(?:\.\d+)*(?:[-–]\d+(?:\.\d+)*)?|\d+\))`)

	oldCite = regexp.MustCompile(`\bspec` + gap + `([A-D])\b(?:(` + gap + `)(§?)(` + section + `))?`)
	// more is a further section in the same citation: ", 6.5", "/7.2", " and B 6.4", ", C 4.6".
	more = regexp.MustCompile(`^([ \t]*(?:,|/|,? and)` + gap + `?)(?:([A-D]) )?(§?)(` + section + `)`)
	// after is what may follow a bare integer continuing a citation ("spec A 4 and 8)"); any
	// other text after it ("2.1, 20 minutes") means the number is not a section.
	afterInteger = regexp.MustCompile(`^(?:[),;:]|$|\s+and\b|\s*\n)`)
)

// Rewrite replaces every old citation in src with its docs/ form. Text without old citations
// is returned unchanged, so Rewrite(Rewrite(x)) == Rewrite(x).
func Rewrite(src string) string {
	src = regexp.MustCompile(`\bspec(?:/README\.md| README)\b`).ReplaceAllString(src, "docs/README.md")
	src = bare.ReplaceAllStringFunc(src, func(m string) string {
		sub := bare.FindStringSubmatchIndex(m)
		return m[:sub[2]] + "spec " + m[sub[2]:] // then rewritten as any other
	})
	var b strings.Builder
	for {
		m := oldCite.FindStringSubmatchIndex(src)
		if m == nil {
			b.WriteString(src)
			return b.String()
		}
		b.WriteString(src[:m[0]])
		b.WriteString("docs/" + Files[src[m[2]:m[3]]])
		if m[4] >= 0 { // a section follows
			b.WriteString(src[m[4]:m[5]])
			b.WriteString("§" + src[m[8]:m[9]])
		}
		src = src[m[1]:]
		if m[4] < 0 {
			continue
		}
		for {
			c := more.FindStringSubmatchIndex(src)
			if c == nil {
				break
			}
			num := src[c[8]:c[9]]
			if c[4] < 0 && !strings.ContainsAny(num, ".-–") && !afterInteger.MatchString(src[c[1]:]) {
				break
			}
			b.WriteString(src[c[2]:c[3]])
			if c[4] >= 0 {
				b.WriteString("docs/" + Files[src[c[4]:c[5]]] + " ")
			}
			b.WriteString("§" + num)
			src = src[c[1]:]
		}
	}
}

// Ref is one citation: a file in docs/ and, when the citation names one, a section ("4.4", the
// start of a range) or a trap ("T13").
type Ref struct {
	File    string
	Section string
	Trap    string
	Offset  int // of the citation in the text
}

var (
	newCite  = regexp.MustCompile(`\bdocs/([A-Za-z0-9_.-]+\.md)\b`)
	newMore  = regexp.MustCompile(`^(?:'s)?(?:` + gap + `|[ \t]*(?:,|/|,? and)` + gap + `?)(?:(?:docs/([A-Za-z0-9_.-]+\.md) )?§(\d+(?:\.\d+)*)(?:[-–]\d+(?:\.\d+)*)?|(?:trap )?(T\d+)\b)`)
	headings = regexp.MustCompile(`(?m)^#{1,6} (\d+(?:\.\d+)*)\.?(?: |$)`)
	traps    = regexp.MustCompile(`\*\*(T\d+) `)
)

// Refs finds the citations of docs/ files in text, one Ref per file and section named.
func Refs(text string) []Ref {
	var out []Ref
	done := 0 // the end of the last citation: a file named inside it is not a new one
	for _, m := range newCite.FindAllStringSubmatchIndex(text, -1) {
		if m[0] < done {
			continue
		}
		file := text[m[2]:m[3]]
		rest, at := text[m[1]:], m[1]
		refs := []Ref{{File: file, Offset: m[0]}}
		for {
			c := newMore.FindStringSubmatchIndex(rest)
			if c == nil {
				break
			}
			r := Ref{File: file, Offset: at}
			if c[2] >= 0 {
				r.File, file = rest[c[2]:c[3]], rest[c[2]:c[3]]
			}
			if c[4] >= 0 {
				r.Section = rest[c[4]:c[5]]
			} else {
				r.Trap = rest[c[6]:c[7]]
			}
			refs = append(refs, r)
			rest, at = rest[c[1]:], at+c[1]
		}
		done = at
		if len(refs) > 1 && refs[1].File == refs[0].File {
			refs = refs[1:] // the file alone adds nothing to its first section
		}
		out = append(out, refs...)
	}
	return out
}

// Anchors lists what a docs/ file can be cited by: its numbered headings ("4.4", "7") and its
// traps ("T13").
func Anchors(doc string) map[string]bool {
	a := map[string]bool{}
	for _, m := range headings.FindAllStringSubmatch(doc, -1) {
		a[m[1]] = true
	}
	for _, m := range traps.FindAllStringSubmatch(doc, -1) {
		a[m[1]] = true
	}
	return a
}

// Walk calls visit with the text of every .go, .md and .json file below root, skipping hidden
// folders (.git) and this package, whose own files show the old form on purpose.
func Walk(root string, visit func(path, text string) error) error {
	self := filepath.Join(root, "internal", "citations")
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if (strings.HasPrefix(d.Name(), ".") && path != root) || path == self {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".go" && ext != ".md" && ext != ".json" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return visit(path, string(b))
	})
}
