package testnote

import (
	"flag"
	"testing"
)

func TestRuns(t *testing.T) {
	f := flag.Lookup("test.run")
	if f == nil {
		t.Fatal("no -test.run flag")
	}
	old := f.Value.String()
	t.Cleanup(func() { _ = f.Value.Set(old) })
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"", "TestRedis", true},
		{"TestRedis", "TestRedis", true},
		{"TestOther", "TestRedis", false},
		{"Contract|Fleet", "TestFleet", true},
		{"TestFleet/sub", "TestFleet", true},
		{"TestFleet/sub", "TestContract", false},
	} {
		_ = f.Value.Set(tc.pattern)
		if got := Runs(tc.name); got != tc.want {
			t.Errorf("-run %q, Runs(%q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}
