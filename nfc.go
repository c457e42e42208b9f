package kyc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptrace"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kycgo/kyc/internal/wire"
)

// NFCService is NFC ID-card reading (实证 NFC, spec C 6): the upload that mints an ocrCertId,
// the SDK start values, and the result, whose nfcEnResult is decrypted with the console's NFC
// key (WithNFCKey). Reach it as Client.NFC.
type NFCService struct {
	c    *Client
	reqs *reqTracker
}

func newNFCService(c *Client) *NFCService {
	return &NFCService{c: c, reqs: &reqTracker{m: map[string]*reqUse{}}}
}

// NFCCardType is the document the SDK reads (nfcType, sent as a string).
type NFCCardType string

// Documents the NFC SDK reads.
const (
	NFCIDCard        NFCCardType = "1" // 二代居民身份证: the PRC ID card
	NFCHKMacauPermit NFCCardType = "3" // 港澳居民来往内地通行证 (回乡证): the Hong Kong and Macau permit
)

// Lifetimes and limits of the NFC flow (spec C 6, 9.3).
const (
	// NFCCertIDLifetime is how long an ocrCertId can start a read.
	NFCCertIDLifetime = 5 * time.Minute
	// NFCReqIDWindow is how long a reqId's result can be queried, and NFCReqIDMaxQueries how
	// many times ("有效期 5 分钟，最多重复查询 10 次", answered 66664003 beyond).
	NFCReqIDWindow     = 5 * time.Minute
	NFCReqIDMaxQueries = 10
)

// NFCCertIDRequest is the upload for one NFC read (getOcrCertId, spec C 6.2).
type NFCCertIDRequest struct {
	OrderNo  string      // unique per read: 1-32 letters and digits
	UserID   string      // at most 30 letters and digits (the SDK's limit); the start must use the same
	CardType NFCCardType // NFCIDCard or NFCHKMacauPermit
	Nonce    string      // the 32-character nonce to sign with; empty means a fresh one
}

// NFCCertID is what getOcrCertId returns: the ocrCertId for the SDK, valid NFCCertIDLifetime.
type NFCCertID struct {
	CertID          string
	OrderNo         string
	BizSeqNo        string
	TransactionTime string
	Nonce           string // the nonce the upload was signed with
}

// GetCertID uploads one NFC read and returns its ocrCertId. The signature covers appId, orderNo,
// nonce and version (not userId; spec C 6.2). Like the other uploads it is resent only if it
// provably never reached the service.
func (s *NFCService) GetCertID(ctx context.Context, req NFCCertIDRequest) (*NFCCertID, error) {
	if err := checkOrderNo(req.OrderNo); err != nil {
		return nil, err
	}
	if err := checkUserID(req.UserID); err != nil {
		return nil, err
	}
	if err := checkSDKUserID(req.UserID); err != nil {
		return nil, err
	}
	if req.CardType != NFCIDCard && req.CardType != NFCHKMacauPermit {
		return nil, invalidInput("nfcType", `must be NFCIDCard ("1") or NFCHKMacauPermit ("3")`)
	}
	nonce, err := nonceOrNew(req.Nonce)
	if err != nil {
		return nil, err
	}
	// The table spells the key appid; the examples and every other call appId (spec C 10 item 5).
	p := params{{"appId", s.c.appID}, {"orderNo", req.OrderNo}, {"userId", req.UserID}, {"version", APIVersion},
		{"nonce", nonce}, {"nfcType", string(req.CardType)}}
	var out struct {
		OrderNo   string `json:"orderNo"`
		BizSeqNo  string `json:"bizSeqNo"`
		OCRCertID string `json:"ocrCertId"`
	}
	env, err := s.c.mint(ctx, s.c.primary, EndpointNFCCertID, p, nil, &out)
	if err != nil {
		return nil, err
	}
	if out.OCRCertID == "" {
		return nil, fmt.Errorf("kyc: %s: %w: no ocrCertId in the answer", EndpointNFCCertID, ErrBadResponse)
	}
	return &NFCCertID{CertID: out.OCRCertID, OrderNo: firstNonEmpty(out.OrderNo, req.OrderNo),
		BizSeqNo: firstNonEmpty(env.BizSeqNo, out.BizSeqNo), TransactionTime: string(env.TransactionTime), Nonce: nonce}, nil
}

// SDKParams returns the start values for the NFC SDK, with the ocrCertId, signed with a new
// NONCE ticket for userID (spec C 6.3).
func (s *NFCService) SDKParams(ctx context.Context, orderNo, userID, certID string, opts ...StartOption) (*SDKStart, error) {
	if certID == "" || len(certID) > 40 || !isAlnum(certID) {
		return nil, invalidInput("ocrCertId", "must be the id GetCertID returned (at most 40 letters and digits)")
	}
	if err := checkSDKUserID(userID); err != nil {
		return nil, err
	}
	start, err := s.c.sdkStart(ctx, s.c.primary, EndpointNFCSDKStart, "nfc", orderNo, userID, "", opts)
	if err != nil {
		return nil, err
	}
	start.OCRCertID = certID
	return start, nil
}

// NFCQuery asks for the result of one NFC read (getIdcardNfcResult, spec C 6.4).
type NFCQuery struct {
	OrderNo string
	ReqID   string // from the SDK's result
	Photos  bool   // getPhoto=1: the card images and the chip portrait
}

// NFCResult is a decrypted NFC result.
type NFCResult struct {
	BizSeqNo        string
	TransactionTime string
	Card            *NFCCard
}

// QueryResult fetches and decrypts the result of one read. A reqId can be queried within 5
// minutes and at most 10 times: the client counts the queries it sends per reqId and refuses the
// eleventh (an error matching ErrRateLimited) and any query more than 5 minutes after the first
// (ErrExpired) without sending anything. Keep the result rather than querying again. A
// result that does not decrypt with the key of WithNFCKey is an error matching ErrDecrypt.
func (s *NFCService) QueryResult(ctx context.Context, q NFCQuery) (*NFCResult, error) {
	if len(s.c.nfcKey) == 0 {
		return nil, invalidInput("NFC key", "set the console's NFC key with WithNFCKey before querying NFC results")
	}
	if err := checkOrderNo(q.OrderNo); err != nil {
		return nil, err
	}
	if err := checkReqID(q.ReqID); err != nil {
		return nil, err
	}
	slot, err := s.reqs.admit(q.ReqID, s.c.clock.Now())
	if err != nil {
		return nil, err
	}
	defer slot.done()
	// Count every query request that is written, retries included, as the service would. Only
	// the POST carries a Content-Type: the ticket fetches that may share this context are GETs.
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaderField: func(key string, _ []string) {
			if strings.EqualFold(key, "Content-Type") {
				slot.sent()
			}
		},
	})
	p := params{{"appId", s.c.appID}, {"orderNo", q.OrderNo}, {"nonce", NewNonce()}, {"version", APIVersion},
		{"reqId", q.ReqID}, {"getPhoto", flag(q.Photos)}}
	ar := &arena{}
	var enc *arenaWriter
	env, err := s.c.signedQuery(ctx, s.c.primary, EndpointNFCResult, p, func(cl int64) wire.MediaSink {
		ar.reset(cl)
		enc = &arenaWriter{a: ar}
		// nfcEnResult is base64 of the ciphertext: streamed as media, it is decoded on the way in
		// and never counts against the envelope cap, photos included.
		return wire.MediaSink{Fields: map[string]io.Writer{"nfcEnResult": enc}}
	})
	if err != nil {
		return nil, err
	}
	// result is NfcQueryRsp, which may carry its own code (spec C 10 item 26).
	var inner struct {
		Code     wire.Code `json:"code"`
		Msg      string    `json:"msg"`
		BizSeqNo string    `json:"bizSeqNo"`
	}
	if env.HasResult() && json.Unmarshal(env.Result, &inner) != nil {
		return nil, fmt.Errorf("kyc: %s: %w: result does not decode", EndpointNFCResult, ErrBadResponse)
	}
	if inner.Code != "" && !inner.Code.OK() {
		return nil, &APIError{Op: EndpointNFCResult, Code: string(inner.Code), Msg: inner.Msg,
			BizSeqNo: firstNonEmpty(env.BizSeqNo, inner.BizSeqNo), OrderNo: q.OrderNo, TransactionTime: string(env.TransactionTime), HTTPStatus: 200}
	}
	ct := enc.bytes()
	if len(ct) == 0 {
		return nil, fmt.Errorf("kyc: %s: %w: no nfcEnResult in the answer", EndpointNFCResult, ErrBadResponse)
	}
	card, err := decryptNFC(s.c.nfcKey, ct)
	if err != nil {
		return nil, fmt.Errorf("kyc: %s: %w", EndpointNFCResult, err)
	}
	if (card.OrderNo != "" && card.OrderNo != q.OrderNo) || (card.ReqID != "" && card.ReqID != q.ReqID) {
		return nil, fmt.Errorf("kyc: %s: %w: the decrypted result is for another order or read", EndpointNFCResult, ErrBadResponse)
	}
	return &NFCResult{BizSeqNo: firstNonEmpty(env.BizSeqNo, inner.BizSeqNo), TransactionTime: string(env.TransactionTime), Card: card}, nil
}

// checkReqID: the SDK's reqId, at most 40 characters (its column in the manual); its alphabet is
// not documented, so any visible ASCII is let through.
func checkReqID(reqID string) error {
	switch {
	case reqID == "":
		return invalidInput("reqId", "must not be empty")
	case len(reqID) > 40:
		return invalidInput("reqId", "must be at most 40 characters")
	}
	for i := 0; i < len(reqID); i++ {
		if reqID[i] <= ' ' || reqID[i] > '~' {
			return invalidInput("reqId", "must be visible ASCII characters")
		}
	}
	return nil
}

// maxTrackedReqIDs bounds the reqId counters; past it the oldest entries are forgotten (their
// next query then goes to the service, which enforces the same rule).
const maxTrackedReqIDs = 10000

// reqTracker counts the queries sent per reqId (spec C 6.1: within 5 minutes, at most 10).
type reqTracker struct {
	mu sync.Mutex
	m  map[string]*reqUse
}

type reqUse struct {
	first    time.Time // when the client first queried it: the reqId is at least this old
	sent     int
	reserved int // admitted queries that have not written a request yet
}

// reqSlot is one admitted query's claim on its reqId's ten: held from admit until its first
// request is written (then counted in sent) or the query ends without writing one.
type reqSlot struct {
	t    *reqTracker
	u    *reqUse
	held bool
}

// sent counts one query request written, retries included.
func (s *reqSlot) sent() {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	s.u.sent++
	if s.held {
		s.held = false
		s.u.reserved--
	}
}

// done gives the claim back if no request was written.
func (s *reqSlot) done() {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	if s.held {
		s.held = false
		s.u.reserved--
	}
}

// admit refuses a query that the service would refuse: the 11th, or one more than the window
// after the first (the reqId was minted before it, so it has expired). Entries are kept for
// twice the window, then forgotten. An admitted query holds a slot until it writes its request,
// so that concurrent queries of one reqId cannot all pass the check before any is counted.
func (t *reqTracker) admit(reqID string, now time.Time) (*reqSlot, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.m[reqID]
	if u != nil && !now.Before(u.first.Add(2*NFCReqIDWindow)) {
		delete(t.m, reqID)
		u = nil
	}
	if u == nil {
		if len(t.m) >= maxTrackedReqIDs {
			t.prune(now)
		}
		u = &reqUse{first: now, reserved: 1}
		t.m[reqID] = u
		return &reqSlot{t: t, u: u, held: true}, nil
	}
	switch {
	case u.sent+u.reserved >= NFCReqIDMaxQueries:
		return nil, fmt.Errorf("kyc: %s: %w: this reqId was queried %d times; the service allows %d within 5 minutes, keep the result instead of querying again",
			EndpointNFCResult, ErrRateLimited, u.sent+u.reserved, NFCReqIDMaxQueries)
	case !now.Before(u.first.Add(NFCReqIDWindow)):
		return nil, fmt.Errorf("kyc: %s: %w: this reqId was first queried over 5 minutes ago; its result can no longer be queried",
			EndpointNFCResult, ErrExpired)
	}
	u.reserved++
	return &reqSlot{t: t, u: u, held: true}, nil
}

// prune forgets expired entries and, if that is not enough, the oldest tenth. Call with mu held.
func (t *reqTracker) prune(now time.Time) {
	type entry struct {
		id    string
		first time.Time
	}
	live := make([]entry, 0, len(t.m))
	for id, u := range t.m {
		if !now.Before(u.first.Add(2 * NFCReqIDWindow)) {
			delete(t.m, id)
			continue
		}
		live = append(live, entry{id, u.first})
	}
	if len(t.m) < maxTrackedReqIDs {
		return
	}
	slices.SortFunc(live, func(a, b entry) int { return a.first.Compare(b.first) })
	for _, e := range live[:len(live)/10+1] {
		delete(t.m, e.id)
	}
}
