package citations

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// checkRewrite checks each input rewrites to its output, and that the output is left alone.
func checkRewrite(t *testing.T, cases map[string]string) {
	t.Helper()
	for in, want := range cases {
		got := Rewrite(in)
		require.Equal(t, want, got, in)
		require.Equal(t, got, Rewrite(got), "idempotent: %q", in)
		require.False(t, OldForm.MatchString(got) && got != in, got)
	}
}

func TestRewrite(t *testing.T) {
	checkRewrite(t, map[string]string{
		"(spec A 4.4)":                            "(docs/A-auth-sign-face.md §4.4)",
		"spec A 4.4.":                             "docs/A-auth-sign-face.md §4.4.",
		"(spec B 6.2, 6.5)":                       "(docs/B-h5-wechat-billing.md §6.2, §6.5)",
		"(spec B 2.1, C 4.6)":                     "(docs/B-h5-wechat-billing.md §2.1, docs/C-ocr-will-nfc-eid.md §4.6)",
		"spec A 7.1/7.2 and B 6.4":                "docs/A-auth-sign-face.md §7.1/§7.2 and docs/B-h5-wechat-billing.md §6.4",
		"spec A 4.1-4.3":                          "docs/A-auth-sign-face.md §4.1-4.3",
		"spec C 2-6":                              "docs/C-ocr-will-nfc-eid.md §2-6",
		"(spec A 4 and 8)":                        "(docs/A-auth-sign-face.md §4 and §8)",
		"spec B 3.2-3.3 and 4":                    "docs/B-h5-wechat-billing.md §3.2-3.3 and §4",
		"(spec A 2.1, 20 minutes)":                "(docs/A-auth-sign-face.md §2.1, 20 minutes)",
		"(spec C 6.4, 10 queries)":                "(docs/C-ocr-will-nfc-eid.md §6.4, 10 queries)",
		"spec D §5 #2":                            "docs/D-api3-actions.md §5 #2",
		"(spec D)":                                "(docs/D-api3-actions.md)",
		"spec B's billing":                        "docs/B-h5-wechat-billing.md's billing",
		"(spec B T15)":                            "(docs/B-h5-wechat-billing.md T15)",
		"(spec B trap T7)":                        "(docs/B-h5-wechat-billing.md trap T7)",
		"wraps (spec B\n// 3.2): the":             "wraps (docs/B-h5-wechat-billing.md\n// §3.2): the",
		"wraps (spec B\n\t// 3.2, 4.2)":           "wraps (docs/B-h5-wechat-billing.md\n\t// §3.2, §4.2)",
		"the four vectors of spec/README.md":      "the four vectors of docs/README.md",
		"spec A 3.4, vector 1":                    "docs/A-auth-sign-face.md §3.4, vector 1",
		"a specimen, specs A, the spec's, Spec A": "a specimen, specs A, the spec's, Spec A",
	})
}

func TestRefs(t *testing.T) {
	text := "see docs/B-h5-wechat-billing.md §6.2, §6.5 and docs/C-ocr-will-nfc-eid.md\n// §4.6, docs/D-api3-actions.md, docs/B-h5-wechat-billing.md T13 and docs/A-auth-sign-face.md §7.1/§7.2 and docs/B-h5-wechat-billing.md §6.4"
	var got []string
	for _, r := range Refs(text) {
		got = append(got, r.File+" "+r.Section+r.Trap)
	}
	require.Equal(t, []string{
		"B-h5-wechat-billing.md 6.2", "B-h5-wechat-billing.md 6.5", "C-ocr-will-nfc-eid.md 4.6",
		"D-api3-actions.md ", "B-h5-wechat-billing.md T13", "A-auth-sign-face.md 7.1", "A-auth-sign-face.md 7.2",
		"B-h5-wechat-billing.md 6.4",
	}, got)
	a := Anchors("# Title\n## 4. Endpoints\n### 4.4 Query\n- **T13 — a trap**\n#### Vector 1\n")
	require.Equal(t, map[string]bool{"4": true, "4.4": true, "T13": true}, a)
}

// TestRepositoryCitations: every citation of docs/ in the repository's .go and .md files names
// (and .json fixtures) a file that exists and a heading (or trap) it has, and none of the old form is left.
func TestRepositoryCitations(t *testing.T) {
	root := filepath.Join("..", "..")
	docs := filepath.Join(root, "docs")
	anchors := map[string]map[string]bool{}
	entries, err := os.ReadDir(docs)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(docs, e.Name()))
		require.NoError(t, err)
		anchors[e.Name()] = Anchors(string(b))
	}
	for _, f := range Files {
		require.Contains(t, anchors, f)
	}
	cited := 0
	err = Walk(root, func(path, text string) error {
		if loc := outside.FindStringIndex(text); loc != nil {
			t.Errorf("%s:%d: points outside the repository: %q", path, line(text, loc[0]), text[loc[0]:loc[1]])
		}
		if loc := OldForm.FindStringIndex(text); loc != nil {
			t.Errorf("%s:%d: old citation %q: run go run ./internal/citations/citefix", path, line(text, loc[0]), text[loc[0]:loc[1]])
		}
		for _, r := range Refs(text) {
			cited++
			a, ok := anchors[r.File]
			switch {
			case !ok:
				t.Errorf("%s:%d: cites docs/%s, which does not exist", path, line(text, r.Offset), r.File)
			case r.Section != "" && !a[r.Section]:
				t.Errorf("%s:%d: cites docs/%s §%s, which has no such heading", path, line(text, r.Offset), r.File, r.Section)
			case r.Trap != "" && !a[r.Trap]:
				t.Errorf("%s:%d: cites docs/%s %s, which lists no such trap", path, line(text, r.Offset), r.File, r.Trap)
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, cited, 100, "the repository cites its notes")
}

// outside matches references to the project's working copy of the notes and the manual, which
// readers of the repository do not have.
var outside = regexp.MustCompile(`\.\./shared/|shared/(?:seed|spec)\b|kyc-docs-zh\.txt`)

func line(text string, off int) int { return strings.Count(text[:off], "\n") + 1 }

func TestRewriteBareLetters(t *testing.T) {
	checkRewrite(t, map[string]string{
		"NFC (C 9.3): 66664003":      "NFC (docs/C-ocr-will-nfc-eid.md §9.3): 66664003",
		"codes (A 7.2, C 9.1): x":    "codes (docs/A-auth-sign-face.md §7.2, docs/C-ocr-will-nfc-eid.md §9.1): x",
		"pages), C 9.1-9.4 (L21555":  "pages), docs/C-ocr-will-nfc-eid.md §9.1-9.4 (L21555",
		"table (X, will C 9.2), the": "table (X, will docs/C-ocr-will-nfc-eid.md §9.2), the",
		"API 3.0 (C 9.4, D, common)": "API 3.0 (docs/C-ocr-will-nfc-eid.md §9.4, D, common)",
		"(OCR, C 2.7 and 3.4; x)":    "(OCR, docs/C-ocr-will-nfc-eid.md §2.7 and §3.4; x)",
		"plan A 4.4 and plan (B 2)":  "plan A 4.4 and plan (docs/B-h5-wechat-billing.md §2)",
		"a (B 2 or so) thing":        "a (B 2 or so) thing",
	})
}

func TestRewriteAcrossLines(t *testing.T) {
	checkRewrite(t, map[string]string{
		"(WithMediaWait; spec\n// A 4.4, C 2.5 and C 5.6: media": "(WithMediaWait; docs/A-auth-sign-face.md §4.4, docs/C-ocr-will-nfc-eid.md §2.5 and docs/C-ocr-will-nfc-eid.md §5.6: media",
		`(spec README "Endpoint`:                                 `(docs/README.md "Endpoint`,
		"the spec README's first":                                "the docs/README.md's first",
	})
}
