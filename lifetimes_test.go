package kyc_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

func lifetimeClient(t *testing.T, opts ...kyc.Option) (*kyctest.Server, *kyc.Client) {
	t.Helper()
	srv := kyctest.NewServer()
	t.Cleanup(srv.Close)
	c, err := kyc.New(srv.AppID, srv.Secret, append(srv.ClientOptions(), opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return srv, c
}

// TestIDsCarryTheirExpiry: a faceId (face, will) and an ocrCertId live 5 minutes from the
// upload; start values live 120 s from the NONCE ticket, or less when the id dies first.
func TestIDsCarryTheirExpiry(t *testing.T) {
	srv, c := lifetimeClient(t)
	ctx := context.Background()

	// The clock follows real time under its offset: a value made between two readings of it
	// expires its lifetime after a time between them.
	within := func(before time.Time, lifetime time.Duration, got time.Time) {
		t.Helper()
		after := srv.Clock.Now()
		require.False(t, got.Before(before.Add(lifetime)), "expires %v, made after %v", got, before)
		require.False(t, got.After(after.Add(lifetime)), "expires %v, made before %v", got, after)
	}
	before := srv.Clock.Now()
	face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Plus, OrderNo: "life001", UserID: "user001",
		Name: "示例用户", IDNo: "KYCTEST0000000001"})
	require.NoError(t, err)
	within(before, 5*time.Minute, face.ExpiresAt)

	srv.Clock.Advance(time.Minute)
	before = srv.Clock.Now()
	start, err := c.Face.SDKParams(ctx, face)
	require.NoError(t, err)
	within(before, 120*time.Second, start.ExpiresAt) // the NONCE ticket's 120 s

	// 4 minutes 30 after the upload the faceId, not the ticket, ends the start values' life.
	srv.Clock.Advance(3*time.Minute + 30*time.Second)
	start, err = c.Face.SDKParams(ctx, face)
	require.NoError(t, err)
	require.Equal(t, face.ExpiresAt, start.ExpiresAt)

	// A will faceId and an NFC ocrCertId alike: 5 minutes from the upload, and start values made
	// near their end die with them.
	var will *kyc.FaceID
	var cert *kyc.NFCCertID
	for _, id := range []struct {
		mint  func() (time.Time, error)
		start func() (*kyc.SDKStart, error)
		wait  time.Duration
	}{{
		mint: func() (time.Time, error) {
			will, err = c.Will.GetFaceID(ctx, kyc.WillFaceIDRequest{OrderNo: "life002", UserID: "user001", Name: "示例用户",
				IDNo: "KYCTEST0000000001", Rounds: []kyc.WillRound{{Question: "是否本人办理？", Answers: []string{"是的"}}}})
			if err != nil {
				return time.Time{}, err
			}
			return will.ExpiresAt, nil
		},
		start: func() (*kyc.SDKStart, error) { return c.Will.SDKParams(ctx, will) },
		wait:  4 * time.Minute,
	}, {
		mint: func() (time.Time, error) {
			cert, err = c.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: "life003", UserID: "user001", CardType: kyc.NFCIDCard})
			if err != nil {
				return time.Time{}, err
			}
			return cert.ExpiresAt, nil
		},
		start: func() (*kyc.SDKStart, error) { return c.NFC.SDKParams(ctx, cert) },
		wait:  299 * time.Second,
	}} {
		before = srv.Clock.Now()
		expires, err := id.mint()
		require.NoError(t, err)
		within(before, 5*time.Minute, expires)
		srv.Clock.Advance(id.wait)
		start, err := id.start()
		require.NoError(t, err)
		require.Equal(t, expires, start.ExpiresAt)
	}

	before = srv.Clock.Now()
	ocr, err := c.OCR.IDCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: "life004", UserID: "user001"})
	require.NoError(t, err)
	within(before, 120*time.Second, ocr.ExpiresAt)

	// The expiry travels with the JSON the app receives.
	b, err := json.Marshal(start)
	require.NoError(t, err)
	require.Contains(t, string(b), `"expiresAt":"`+face.ExpiresAt.Format(time.RFC3339Nano)+`"`)
}

func TestResultRetentionIsThreeDays(t *testing.T) {
	require.Equal(t, 3*24*time.Hour, kyc.ResultRetention)
	// kyctest keeps results by its own reading of the manual: the two agree.
	require.Equal(t, kyctest.ResultLifetime, kyc.ResultRetention)
}

func TestLicencePerPlatform(t *testing.T) {
	ctx := context.Background()
	startFor := func(t *testing.T, opts ...kyc.Option) *kyc.SDKStart {
		_, c := lifetimeClient(t, opts...)
		face, err := c.Face.GetFaceID(ctx, kyc.FaceIDRequest{Version: kyc.Basic, OrderNo: "lic001", UserID: "user001",
			Name: "示例用户", IDNo: "KYCTEST0000000001"})
		require.NoError(t, err)
		start, err := c.Face.SDKParams(ctx, face)
		require.NoError(t, err)
		return start
	}

	t.Run("one licence for every platform", func(t *testing.T) {
		start := startFor(t, kyc.WithSDKLicence("LIC-ALL"))
		require.Equal(t, "LIC-ALL", start.Licence)
		_, err := json.Marshal(start)
		require.NoError(t, err)
		require.NoError(t, start.ForPlatform(kyc.Harmony))
		require.Equal(t, "LIC-ALL", start.Licence)
	})

	t.Run("one per platform", func(t *testing.T) {
		start := startFor(t, kyc.WithSDKLicence("LIC-A", kyc.Android), kyc.WithSDKLicence("LIC-I", kyc.IOS),
			kyc.WithSDKLicence("LIC-H", kyc.Harmony))
		require.Empty(t, start.Licence, "no platform named yet")
		_, err := json.Marshal(start)
		require.ErrorIs(t, err, kyc.ErrInvalidInput, "sent without a licence choice")
		all := map[kyc.Platform]string{kyc.Android: "LIC-A", kyc.IOS: "LIC-I", kyc.Harmony: "LIC-H"}
		for p, want := range all {
			s := *start
			require.NoError(t, s.ForPlatform(p))
			require.Equal(t, want, s.Licence)
			b, err := json.Marshal(&s)
			require.NoError(t, err)
			require.Contains(t, string(b), `"licence":"`+want+`"`)
			for _, other := range all {
				if other != want {
					require.NotContains(t, string(b), other, "%v gets only its own licence", p)
				}
			}
		}
	})

	t.Run("a platform without a licence", func(t *testing.T) {
		start := startFor(t, kyc.WithSDKLicence("LIC-A", kyc.Android))
		err := start.ForPlatform(kyc.IOS)
		require.ErrorIs(t, err, kyc.ErrInvalidInput)
		require.Empty(t, start.Licence)
		require.ErrorIs(t, start.ForPlatform(kyc.Platform(0)), kyc.ErrInvalidInput)
		require.ErrorIs(t, start.ForPlatform(kyc.Platform(9)), kyc.ErrInvalidInput)
	})

	t.Run("options that would send a wrong licence", func(t *testing.T) {
		for name, opts := range map[string][]kyc.Option{
			"mixed":         {kyc.WithSDKLicence("LIC-ALL"), kyc.WithSDKLicence("LIC-I", kyc.IOS)},
			"mixed reverse": {kyc.WithSDKLicence("LIC-I", kyc.IOS), kyc.WithSDKLicence("LIC-ALL")},
			"twice":         {kyc.WithSDKLicence("LIC-1", kyc.IOS), kyc.WithSDKLicence("LIC-2", kyc.IOS)},
			"bad platform":  {kyc.WithSDKLicence("LIC-1", kyc.Platform(4))},
			"empty":         {kyc.WithSDKLicence("", kyc.IOS)},
		} {
			_, err := kyc.New("IDAKYCT1", "secretFromTheConsole", opts...)
			require.ErrorIs(t, err, kyc.ErrInvalidInput, name)
		}
		// The same licence twice for a platform is harmless.
		_, err := kyc.New("IDAKYCT1", "secretFromTheConsole", kyc.WithSDKLicence("LIC-1", kyc.IOS, kyc.IOS))
		require.NoError(t, err)
	})
}

func TestTokensFromRedirect(t *testing.T) {
	_, c := lifetimeClient(t)
	const tok = "CE661F1A-0F1E-45BD-BE13-34C05CEA7681"
	parse := func(raw string) *url.URL {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		return u
	}
	for raw, want := range map[string]string{
		"https://p.example/done?token=" + tok:                       tok,
		"https://p.example/done?BizToken=" + tok + "&state=x":       tok,
		"https://p.example/done?token=" + tok + "&BizToken=" + tok:  tok,
		"https://p.example/done?from=wechat&token=" + tok + "#frag": tok,
	} {
		got, err := c.Detect.BizTokenFromRedirect(parse(raw))
		require.NoError(t, err, raw)
		require.Equal(t, want, got, raw)
	}
	got, err := c.EID.TokenFromRedirect(parse("https://p.example/eid?token=" + tok))
	require.NoError(t, err)
	require.Equal(t, tok, got)

	bad := []string{
		"https://p.example/done",
		"https://p.example/done?token=",
		"https://p.example/done?token=a&token=b",
		"https://p.example/done?token=a&BizToken=b",
		"https://p.example/done?token=a%20b",
		"https://p.example/done?token=%E4%BD%A0",
		"https://p.example/done?token=" + string(make([]byte, 0)) + "x%00",
		"https://p.example/done?token=%zz",
		"https://p.example/done?bizToken=" + tok, // another spelling: not what the service sends
	}
	for _, raw := range bad {
		_, err := c.Detect.BizTokenFromRedirect(parse(raw))
		var ie *kyc.InputError
		require.True(t, errors.As(err, &ie), "%s: %v", raw, err)
		require.NotContains(t, err.Error(), "a%20b")
	}
	long := "https://p.example/done?token="
	for range 129 {
		long += "A"
	}
	_, err = c.Detect.BizTokenFromRedirect(parse(long))
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	_, err = c.Detect.BizTokenFromRedirect(nil)
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
	// eID names its key: the Detect spelling is not read.
	_, err = c.EID.TokenFromRedirect(parse("https://p.example/eid?BizToken=" + tok))
	require.ErrorIs(t, err, kyc.ErrInvalidInput)
}
