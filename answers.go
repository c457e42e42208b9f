package kyc

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/kycgo/kyc/internal/transport"
	"github.com/kycgo/kyc/internal/wire"
)

// Answer checks, shared by every call: what a successful answer must hold before anything from it
// is returned (it is complete, it is about the order asked for, and the identifiers handed on are
// plain values), and the media wait of the streamed result queries. Errors here never quote a
// value from the answer: a hostile or broken answer could put anything there.

// idRule is what an identifier from an answer must look like before it is handed on.
type idRule struct {
	max      int  // at most this many bytes
	required bool // an empty value is a bad answer
	alnum    bool // ASCII letters and digits only (else printable ASCII without spaces)
	host     bool // a host name or address, with an optional port
	url      bool // an absolute http or https URL
}

// The identifier rules. Where the manual documents no length, the bound is generous and said so.
var (
	// faceId and h5faceId: 32 characters in the manual's tables and examples (docs/B-h5-wechat-billing.md T25 calls the
	// length columns unreliable). The bound and the letters-and-digits rule are the ones the
	// login URL builder applies to the same value (loginURL), so every faceId returned can be used.
	ruleFaceID = idRule{max: maxFaceIDLen, required: true, alnum: true}
	// ocrCertId: no documented length; NFCService.SDKParams takes at most 40 letters and digits.
	ruleCertID = idRule{max: maxCertIDLen, required: true, alnum: true}
	// bizSeqNo: 32 digits in every example; no documented length, so 64 (generous). It may be
	// absent: it is for support tickets only.
	ruleBizSeqNo = idRule{max: 64}
	// optimalDomain: a DNS name is at most 253 characters; with a port and brackets, 262. It may
	// be absent (the login then uses the API host).
	ruleDomain = idRule{max: 262, host: true}
	// BizToken and EidToken: no documented length (docs/D-api3-actions.md); the bound is the one the SDK applies
	// when the token is passed back in (checkCloudID, 128), so every token returned can be used.
	ruleCloudToken = idRule{max: 128, required: true}
	// Url of DetectAuth and GetEidToken: optional and of no documented length (docs/D-api3-actions.md); 2,048 is
	// a generous bound for a link that names a token. http is accepted as well as https because
	// the fake server (and a test service) answers on plain http; the browser, not the SDK,
	// follows it.
	ruleCloudURL = idRule{max: 2048, url: true}
)

// badAnswer is an error matching ErrBadResponse for op. what is fixed text, never a value.
func badAnswer(op, what string) error {
	return fmt.Errorf("kyc: %s: %w: %s", op, ErrBadResponse, what)
}

// checkAnswerID checks one identifier the answer of op hands on (field is its wire name).
func checkAnswerID(op, field, v string, r idRule) error {
	if v == "" {
		if r.required {
			return badAnswer(op, "no "+field+" in the answer")
		}
		return nil
	}
	if len(v) > r.max {
		return badAnswer(op, fmt.Sprintf("%s is over %d bytes", field, r.max))
	}
	for i := 0; i < len(v); i++ {
		b := v[i]
		ok := b > ' ' && b < 0x7f // printable ASCII, no space: also refuses CR, LF and any non-ASCII (invalid UTF-8 included)
		switch {
		case r.alnum:
			ok = isAlnum(v[i : i+1])
		case r.host:
			ok = ok && (isAlnum(v[i:i+1]) || strings.IndexByte(".-:[]", b) >= 0)
		}
		if !ok {
			return badAnswer(op, field+" holds characters an identifier cannot hold")
		}
	}
	if r.host && checkOptimalDomain(v) != nil {
		// The same rule the login URL builder applies to a caller's domain (validate.go): a
		// domain returned here is one the login can use.
		return badAnswer(op, field+" is not a host name with an optional port")
	}
	if r.url {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			return badAnswer(op, field+" is not an absolute http or https URL")
		}
	}
	return nil
}

// checkFrame checks what every kyc1 answer of op about orderNo says about itself: a successful
// answer carries a result object (resultPresent), the orderNo it names at the top level or in the
// result (resultOrderNo) is the one asked about, and its bizSeqNo values are identifiers. An
// answer that omits orderNo is taken as about the order asked (the manual's examples often omit
// it); one that names another order is refused, whatever its code.
func checkFrame(op, orderNo string, env *wire.Envelope, resultPresent bool, resultOrderNo, resultBizSeqNo string) error {
	if env.Code.OK() && !resultPresent {
		return badAnswer(op, "a success code without a result object")
	}
	if (env.OrderNo != "" && env.OrderNo != orderNo) || (resultOrderNo != "" && resultOrderNo != orderNo) {
		return badAnswer(op, "the answer is about another orderNo")
	}
	if err := checkAnswerID(op, "bizSeqNo", env.BizSeqNo, ruleBizSeqNo); err != nil {
		return err
	}
	return checkAnswerID(op, "bizSeqNo", resultBizSeqNo, ruleBizSeqNo)
}

// checkFaceIDAnswer checks the answer of an upload that mints a faceId (face, PC and will): out
// is nil when the answer had no result object.
func checkFaceIDAnswer(op, orderNo string, env *wire.Envelope, out *faceIDResult) error {
	if out == nil {
		return badAnswer(op, "a success code without a result object")
	}
	if err := checkFrame(op, orderNo, env, true, out.OrderNo, out.BizSeqNo); err != nil {
		return err
	}
	if out.FaceID != "" && out.H5FaceID != "" && out.FaceID != out.H5FaceID {
		return badAnswer(op, "faceId and h5faceId disagree")
	}
	field := "faceId"
	if out.FaceID == "" && out.H5FaceID != "" {
		field = "h5faceId"
	}
	if err := checkAnswerID(op, field, firstNonEmpty(out.FaceID, out.H5FaceID), ruleFaceID); err != nil {
		return err
	}
	return checkAnswerID(op, "optimalDomain", out.OptimalDomain, ruleDomain)
}

// mediaGate, gateSet and awaitMedia implement "missing evidence is never a silent success" for
// the streamed result queries (QueryResultTo and its will and OCR kin).

// mediaGate stands between one medium's writer (nil: counted, then discarded) and the streamed
// queries of one call. It counts the bytes of the current query; once a query delivered the
// medium (seal), later queries' copies are discarded, so that querying again for what is still
// missing never writes a medium twice. A medium that never arrived has written nothing.
type mediaGate struct {
	w    io.Writer
	n    int64 // bytes of the current query
	done bool  // delivered by an earlier query of the same call
}

func (g *mediaGate) Write(p []byte) (int, error) {
	g.n += int64(len(p))
	if g.done || g.w == nil {
		return len(p), nil
	}
	return g.w.Write(p)
}

// got reports whether the medium arrived, in this query or an earlier one.
func (g *mediaGate) got() bool { return g.done || g.n > 0 }

// seal ends a query: a medium it delivered is done.
func (g *mediaGate) seal() {
	if g.n > 0 {
		g.done = true
	}
	g.n = 0
}

// gateSet is the gates of one call: fixed ones and ones made on demand (the rounds of a will
// result, keyed by their index in the list).
type gateSet struct{ all []*mediaGate }

func (s *gateSet) gate(w io.Writer) *mediaGate {
	g := &mediaGate{w: w}
	s.all = append(s.all, g)
	return g
}

func (s *gateSet) seal() {
	for _, g := range s.all {
		g.seal()
	}
}

// waitForMedia is the media wait of every result query, buffered or streamed (WithMediaWait; docs/A-auth-sign-face.md §4.4, docs/C-ocr-will-nfc-eid.md §2.5 and docs/C-ocr-will-nfc-eid.md §5.6: media lags the verdict by a second or two). It runs query until missing
// reports that nothing asked for is missing, at most the client's media tries, its media interval
// apart. When media is still missing after the last try it returns the last answer with an error
// matching ErrMediaNotReady (and so ErrNoResult); a failed query, or the end of ctx, ends the wait
// with that error and no answer.
func waitForMedia[T any](ctx context.Context, c *Client, op, orderNo string, query func() (*T, error), missing func(*T) string) (*T, error) {
	for try := 1; ; try++ {
		res, err := query()
		if err != nil {
			return nil, err
		}
		what := missing(res)
		if what == "" {
			return res, nil
		}
		if try >= c.mediaTries {
			return res, fmt.Errorf("kyc: %s: order %s: %w: %s still missing after %d queries", op, orderNo, ErrMediaNotReady, what, try)
		}
		if err := transport.Sleep(ctx, c.mediaWait); err != nil {
			return nil, fmt.Errorf("kyc: %s: order %s: waiting for media: %w", op, orderNo, err)
		}
	}
}

// awaitMedia is waitForMedia for a streamed query: the gates are sealed after each query, so only
// media not yet delivered is written again, and when media is still missing no answer is handed
// out (a passing verdict without its evidence, that no caller can act on by mistake); the writers
// of the media that never came received nothing.
func awaitMedia[T any](ctx context.Context, c *Client, op, orderNo string, gates *gateSet, query func() (*T, error), missing func(*T) string) (*T, error) {
	res, err := waitForMedia(ctx, c, op, orderNo, query, func(res *T) string {
		what := missing(res)
		gates.seal()
		return what
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// missingList names the media asked for that did not arrive: names[i] when want[i] && !got[i].
func missingList(names []string, want, got []bool) string {
	var out []string
	for i, n := range names {
		if want[i] && !got[i] {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}
