package kyc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/kycgo/kyc/internal/wire"
)

// NFCService is NFC ID-card reading (实证 NFC, docs/C-ocr-will-nfc-eid.md §6): the upload that mints an ocrCertId,
// the SDK start values, and the result, whose nfcEnResult is decrypted with the console's NFC
// key (WithNFCKey). Reach it as Client.NFC.
type NFCService struct {
	c    *Client
	reqs *reqTracker
}

func newNFCService(c *Client) *NFCService {
	return &NFCService{c: c, reqs: &reqTracker{m: map[string]queryCount{}}}
}

// NFCCardType is the document the SDK reads (nfcType, sent as a string).
type NFCCardType string

// Documents the NFC SDK reads.
const (
	NFCIDCard        NFCCardType = "1" // 二代居民身份证: the PRC ID card
	NFCHKMacauPermit NFCCardType = "3" // 港澳居民来往内地通行证 (回乡证): the Hong Kong and Macau permit
)

// Lifetimes and limits of the NFC flow (docs/C-ocr-will-nfc-eid.md §6, §9.3).
const (
	// nfcCertIDLifetime is how long an ocrCertId can start a read.
	nfcCertIDLifetime = 5 * time.Minute
	// nfcReqIDWindow is how long a reqId's result can be queried, and nfcReqIDMaxQueries how
	// many times ("有效期 5 分钟，最多重复查询 10 次", answered 66664003 beyond).
	nfcReqIDWindow     = 5 * time.Minute
	nfcReqIDMaxQueries = 10
)

// NFCCertIDRequest is the upload for one NFC read (getOcrCertId, docs/C-ocr-will-nfc-eid.md §6.2).
type NFCCertIDRequest struct {
	OrderNo  string      // unique per read: 1-32 letters and digits
	UserID   string      // at most 30 letters and digits (the SDK's limit); the start must use the same
	CardType NFCCardType // NFCIDCard or NFCHKMacauPermit
}

// NFCCertID is what getOcrCertId returns: the ocrCertId for the SDK, valid 5 minutes.
// NFCService.SDKParams takes it whole, so that its orderNo and userId cannot be mixed up.
type NFCCertID struct {
	CertID          string
	OrderNo         string
	UserID          string // the upload's userId: the start must use the same
	BizSeqNo        string
	TransactionTime string
	Nonce           string // the nonce the upload was signed with
	// ExpiresAt is when the ocrCertId stops starting reads: 5 minutes after the upload was
	// sent, by the client's clock.
	ExpiresAt time.Time
}

// GetCertID uploads one NFC read and returns its ocrCertId. The signature covers appId, orderNo,
// nonce and version (not userId; docs/C-ocr-will-nfc-eid.md §6.2). Like the other uploads it is resent only if it
// provably never reached the service.
func (s *NFCService) GetCertID(ctx context.Context, req NFCCertIDRequest, opts ...CallOption) (*NFCCertID, error) {
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
	cfg, err := startOptions(opts)
	if err != nil {
		return nil, err
	}
	nonce, minted := cfg.nonce, s.c.clock.Now()
	// The table spells the key appid; the examples and every other call appId (docs/C-ocr-will-nfc-eid.md §10 item 5).
	p := params{{"appId", s.c.appID}, {"orderNo", req.OrderNo}, {"userId", req.UserID}, {"version", APIVersion},
		{"nonce", nonce}, {"nfcType", string(req.CardType)}}
	var out *struct { // nil when the answer has no result object
		OrderNo   string `json:"orderNo"`
		BizSeqNo  string `json:"bizSeqNo"`
		OCRCertID string `json:"ocrCertId"`
	}
	env, err := s.c.call(ctx, signedCall{app: s.c.primary, endpoint: endpointNFCCertID, p: p, mint: true, out: &out})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, badAnswer(endpointNFCCertID, "a success code without a result object")
	}
	if err := checkFrame(endpointNFCCertID, req.OrderNo, env, true, out.OrderNo, out.BizSeqNo); err != nil {
		return nil, err
	}
	if err := checkAnswerID(endpointNFCCertID, "ocrCertId", out.OCRCertID, ruleCertID); err != nil {
		return nil, err
	}
	return &NFCCertID{CertID: out.OCRCertID, OrderNo: firstNonEmpty(out.OrderNo, req.OrderNo), UserID: req.UserID,
		BizSeqNo: firstNonEmpty(env.BizSeqNo, out.BizSeqNo), TransactionTime: string(env.TransactionTime), Nonce: nonce,
		ExpiresAt: minted.Add(nfcCertIDLifetime)}, nil
}

// SDKParams returns the start values for the NFC SDK (docs/C-ocr-will-nfc-eid.md §6.3) for cert, what GetCertID
// returned (its ocrCertId, orderNo and userId), signed with a new NONCE ticket for that userId.
func (s *NFCService) SDKParams(ctx context.Context, cert *NFCCertID, opts ...CallOption) (*SDKStart, error) {
	if cert == nil {
		return nil, invalidInput("ocrCertId", "must not be nil: pass the NFCCertID GetCertID returned")
	}
	if err := checkAlnumID("ocrCertId", cert.CertID, maxCertIDLen); err != nil {
		return nil, err
	}
	if err := checkSDKUserID(cert.UserID); err != nil {
		return nil, err
	}
	start, err := s.c.sdkStart(ctx, s.c.primary, endpointNFCSDKStart, "nfc", cert.OrderNo, cert.UserID, "", opts)
	if err != nil {
		return nil, err
	}
	start.OCRCertID = cert.CertID
	return start.capExpiry(cert.ExpiresAt), nil
}

// NFCQuery asks for the result of one NFC read (getIdcardNfcResult, docs/C-ocr-will-nfc-eid.md §6.4).
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
// minutes and at most 10 times: the client counts every query request it is about to send per
// reqId, retries included, and refuses the eleventh (an error matching ErrRateLimited) and any
// query more than 5 minutes after the first (ErrExpired) without sending anything. The count is
// kept in the ticket store when it is a QueryCounter (MemoryStore, FileStore, redisstore), so
// that it holds for every client that shares the store; otherwise each client counts its own.
// When the store cannot count, the query is not sent and the store's error is returned. Keep
// the result rather than querying again. A result that does not decrypt with the key of
// WithNFCKey is an error matching ErrDecrypt.
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
	p := params{{"appId", s.c.appID}, {"orderNo", q.OrderNo}, {"nonce", NewNonce()}, {"version", APIVersion},
		{"reqId", q.ReqID}, {"getPhoto", flag(q.Photos)}}
	ar := &arena{}
	var enc *arenaWriter
	env, err := s.c.call(ctx, signedCall{app: s.c.primary, endpoint: endpointNFCResult, p: p,
		// Every attempt is counted before it is sent, so that a fleet sharing the store sends at
		// most 10 whatever the retries.
		beforeAttempt: func(ctx context.Context) error { return s.countQuery(ctx, q.ReqID) },
		media: func(cl int64) wire.MediaSink {
			ar.reset(cl)
			enc = &arenaWriter{a: ar}
			// nfcEnResult is base64 of the ciphertext: streamed as media, it is decoded on the way
			// in and never counts against the envelope cap, photos included.
			return wire.MediaSink{Fields: map[string]io.Writer{"nfcEnResult": enc}}
		}})
	if err != nil {
		return nil, err
	}
	// result is NfcQueryRsp, which may carry its own code (docs/C-ocr-will-nfc-eid.md §10 item 26).
	var inner struct {
		Code     wire.Code `json:"code"`
		Msg      string    `json:"msg"`
		BizSeqNo string    `json:"bizSeqNo"`
		OrderNo  string    `json:"orderNo"`
	}
	if env.HasResult() && json.Unmarshal(env.Result, &inner) != nil {
		return nil, fmt.Errorf("kyc: %s: %w: result does not decode", endpointNFCResult, ErrBadResponse)
	}
	if err := checkFrame(endpointNFCResult, q.OrderNo, env, env.HasResult(), inner.OrderNo, inner.BizSeqNo); err != nil {
		return nil, err
	}
	if inner.Code != "" && !inner.Code.OK() {
		return nil, &APIError{Op: endpointNFCResult, Code: string(inner.Code), Msg: inner.Msg,
			BizSeqNo: firstNonEmpty(env.BizSeqNo, inner.BizSeqNo), OrderNo: q.OrderNo, TransactionTime: string(env.TransactionTime), HTTPStatus: 200}
	}
	ct := enc.bytes()
	if len(ct) == 0 {
		return nil, fmt.Errorf("kyc: %s: %w: no nfcEnResult in the answer", endpointNFCResult, ErrBadResponse)
	}
	card, err := decryptNFC(s.c.nfcKey, ct)
	if err != nil {
		return nil, fmt.Errorf("kyc: %s: %w", endpointNFCResult, err)
	}
	if (card.OrderNo != "" && card.OrderNo != q.OrderNo) || (card.ReqID != "" && card.ReqID != q.ReqID) {
		return nil, fmt.Errorf("kyc: %s: %w: the decrypted result is for another order or read", endpointNFCResult, ErrBadResponse)
	}
	return &NFCResult{BizSeqNo: firstNonEmpty(env.BizSeqNo, inner.BizSeqNo), TransactionTime: string(env.TransactionTime), Card: card}, nil
}

// nfcQueryKey is the QueryCounter key of a reqId's queries.
func nfcQueryKey(reqID string) string { return "nfcq:" + reqID }

// countQuery counts one query of reqID about to be sent, in the store when it counts and in
// the client otherwise, and refuses the query that the service would refuse: the 11th, or one
// more than the window after the first (the reqId was minted before it, so it has expired).
// Counts are kept for twice the window. A refused query counts too: it changes nothing, the
// cap being reached.
func (s *NFCService) countQuery(ctx context.Context, reqID string) error {
	now := s.c.clock.Now()
	var n int
	var first time.Time
	if qc, ok := s.c.store.(QueryCounter); ok {
		var err error
		n, first, err = qc.CountQuery(ctx, s.c.appID, nfcQueryKey(reqID), now, 2*nfcReqIDWindow)
		if err != nil {
			// Fail safe: a query the fleet cannot count is not sent (it could be the 11th).
			return fmt.Errorf("%w (the %s query was not sent: the ticket store counts the queries of a reqId)", err, endpointNFCResult)
		}
	} else {
		n, first = s.reqs.count(reqID, now)
	}
	switch {
	case n > nfcReqIDMaxQueries:
		return fmt.Errorf("kyc: %s: %w: this reqId was queried %d times; the service allows %d within 5 minutes, keep the result instead of querying again",
			endpointNFCResult, ErrRateLimited, nfcReqIDMaxQueries, nfcReqIDMaxQueries)
	case !now.Before(first.Add(nfcReqIDWindow)):
		return fmt.Errorf("kyc: %s: %w: this reqId was first queried over 5 minutes ago; its result can no longer be queried",
			endpointNFCResult, ErrExpired)
	}
	return nil
}

// reqTracker counts the queries per reqId in the client, for a store that is not a
// QueryCounter.
type reqTracker struct {
	mu sync.Mutex
	m  map[string]queryCount
}

// count adds one to reqID's count and returns it with the time of the first.
func (t *reqTracker) count(reqID string, now time.Time) (int, time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	q := countQuery(t.m, reqID, now, 2*nfcReqIDWindow)
	return q.N, q.First
}
