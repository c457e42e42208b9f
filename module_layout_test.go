package kyc_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The repository is one workspace (go.work) of several modules: the SDK here, redisstore (Redis
// stays out of the SDK's dependencies) and cmd/kyc (the command, which uses redisstore). These
// checks keep that layout whole when a module is added or a dependency moves.

// modFiles returns the directories, relative to the root and slash-separated, of every go.mod
// below the root ("." for the root's), testdata aside.
func modFiles(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && p != ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "go.mod" {
			dirs = append(dirs, filepath.ToSlash(filepath.Dir(p)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// workUse returns the directories go.work uses, without a leading "./".
func workUse(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("go.work")
	if err != nil {
		t.Fatalf("go.work: %v (the workspace of the repository's modules: `go run ./cmd/kyc demo` needs it)", err)
	}
	var dirs []string
	inBlock := false
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "use (":
			inBlock = true
			continue
		case inBlock && line == ")":
			inBlock = false
			continue
		case strings.HasPrefix(line, "use "):
			line = strings.TrimSpace(strings.TrimPrefix(line, "use "))
		case !inBlock || line == "":
			continue
		}
		if d := strings.TrimPrefix(line, "./"); d != "" {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// Every module of the repository is in the workspace, and go.work asks for no newer Go than the
// SDK's go.mod (a newer one would make the go command fetch a toolchain).
func TestWorkspaceHoldsEveryModule(t *testing.T) {
	mods, use := modFiles(t), workUse(t)
	slices.Sort(mods)
	slices.Sort(use)
	if !slices.Equal(mods, use) {
		t.Errorf("go.work uses %q; the repository's go.mod files are in %q", use, mods)
	}
	for _, want := range []string{".", "redisstore", "cmd/kyc"} {
		if !slices.Contains(mods, want) {
			t.Errorf("no module in %s", want)
		}
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`)
	goOf := func(file string) string {
		b, _ := os.ReadFile(file)
		if m := goLine.FindSubmatch(b); m != nil {
			return string(m[1])
		}
		return "none"
	}
	if w, m := goOf("go.work"), goOf("go.mod"); w != m {
		t.Errorf("go.work's go line (%s) differs from go.mod's (%s)", w, m)
	}
}

// The README's test command and .ci/run test every module: ./... stops at a nested one.
func TestTestCommandCoversEveryModule(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	cmd := regexp.MustCompile("(?m)^go test -race (.+)$").FindSubmatch(readme)
	if cmd == nil {
		t.Fatal("README: no line `go test -race ...` (the test command)")
	}
	patterns := strings.Fields(string(cmd[1]))
	for _, d := range modFiles(t) {
		want := "./" + d + "/..."
		if d == "." {
			want = "./..."
		}
		if !slices.Contains(patterns, want) {
			t.Errorf("the README's test command %q does not test the module in %s (%s)", cmd[1], d, want)
		}
	}
}

// The SDK's own module needs no Redis client: go-redis belongs to the modules redisstore and
// cmd/kyc (a `go get` run in the wrong directory would add it here).
func TestSDKModuleHasNoRedis(t *testing.T) {
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(mod), "github.com/redis/") {
		t.Error("go.mod requires a Redis client; keep Redis in redisstore (and cmd/kyc)")
	}
}
