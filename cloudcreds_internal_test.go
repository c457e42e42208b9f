package kyc

import (
	"testing"
	"time"

	"github.com/kycgo/kyc/internal/tc3"
)

// The signer keeps the day's derived key; a rotated secret must not sign with the old one. Each
// set of credentials gets its own signer, so the same SecretId with a new SecretKey on the same
// day signs with the new key.
func TestRotatedSecretGetsItsOwnDerivedKey(t *testing.T) {
	now := time.Unix(1795971494, 0)
	body := []byte(`{"RuleId":"1"}`)
	old, err := newCredEntry(CloudCredentials{SecretID: "AKIDROTATE", SecretKey: "OldSecretKey0001"}, now)
	if err != nil {
		t.Fatal(err)
	}
	_ = old.signer.Authorization("h", now.Unix(), body) // the old day key is derived and kept
	rotated, err := newCredEntry(CloudCredentials{SecretID: "AKIDROTATE", SecretKey: "NewSecretKey0002"}, now)
	if err != nil {
		t.Fatal(err)
	}
	got := rotated.signer.Authorization("h", now.Unix(), body)
	want := tc3.Authorization("AKIDROTATE", "NewSecretKey0002", tc3.JSONPost("h", cloudService, now.Unix(), body))
	if got != want {
		t.Fatalf("rotated credentials signed with another key:\n got %s\nwant %s", got, want)
	}
}

// refreshAt: 5 minutes before Expires, or half the remaining life for short-lived credentials;
// credentials already expired are refused.
func TestCredEntryRefreshAt(t *testing.T) {
	now := time.Unix(1795971494, 0)
	c := CloudCredentials{SecretID: "AKIDX", SecretKey: "k", Token: "t"}
	for _, tc := range []struct {
		life, refreshAfter time.Duration
	}{{time.Hour, 55 * time.Minute}, {10 * time.Minute, 5 * time.Minute}, {4 * time.Minute, 2 * time.Minute}} {
		c.Expires = now.Add(tc.life)
		e, err := newCredEntry(c, now)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.refreshAt.Sub(now); got != tc.refreshAfter {
			t.Errorf("life %v: refresh after %v, want %v", tc.life, got, tc.refreshAfter)
		}
	}
	c.Expires = now
	if _, err := newCredEntry(c, now); err == nil {
		t.Error("credentials expiring now were accepted")
	}
	c.Expires = time.Time{}
	if e, err := newCredEntry(c, now); err != nil || !e.usable(now.Add(1000*time.Hour)) {
		t.Error("credentials without Expires must never need a refresh")
	}
}
