// Package testnote tells whoever runs `go test ./...` which tests skip and why. The go command
// shows a passing package's output only with -v (or when run in the package's directory with no
// package arguments), so a t.Skip message is invisible in the plain run of a module's tests: a
// TestMain calls Print when a requirement is missing, and the line is shown all the same.
package testnote

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Print writes line to where the person running the tests sees it: the go command's standard
// error when the test binary runs under `go test` on Linux (the parent's descriptor 2, through
// /proc), and the binary's own standard error otherwise (shown with -v, in directory mode, or
// when the package fails). It never fails: a note is best effort.
func Print(line string) {
	w, closeW := goStderr()
	defer closeW()
	fmt.Fprintln(w, line)
}

// goStderr returns the go command's standard error when the parent process is the go command,
// else os.Stderr.
func goStderr() (io.Writer, func()) {
	ppid := os.Getppid()
	comm, err := os.ReadFile("/proc/" + strconv.Itoa(ppid) + "/comm")
	if err != nil || strings.TrimSpace(string(comm)) != "go" {
		return os.Stderr, func() {}
	}
	f, err := os.OpenFile("/proc/"+strconv.Itoa(ppid)+"/fd/2", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return os.Stderr, func() {}
	}
	return f, func() { f.Close() }
}

// Runs reports whether the -test.run pattern (parsed by flag.Parse in TestMain) selects the
// top-level test name; an empty pattern selects every test. -test.skip is not consulted.
func Runs(name string) bool {
	f := flag.Lookup("test.run")
	if f == nil || f.Value.String() == "" {
		return true
	}
	top, _, _ := strings.Cut(f.Value.String(), "/")
	re, err := regexp.Compile(top)
	return err != nil || re.MatchString(name)
}
