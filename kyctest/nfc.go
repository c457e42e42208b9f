package kyctest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	gmcipher "github.com/emmansun/gmsm/cipher"
	"github.com/emmansun/gmsm/padding"
	"github.com/emmansun/gmsm/sm4"
)

// NFC ID-card reading (实证 NFC, docs/C-ocr-will-nfc-eid.md §6): getOcrCertId mints an ocrCertId (NFCCertIDLifetime); a
// test plays the SDK's chip read with CompleteNFC, which returns the reqId; getIdcardNfcResult
// then answers, within NFCReqIDWindow of the read and at most NFCReqIDMaxQueries times, with
// nfcEnResult: the documented JSON, SM4-ECB encrypted with PKCS#7 padding under the server's NFC
// key (WithNFCKey, or a random one: NFCKey), then base64 (docs/C-ocr-will-nfc-eid.md §6.5).

// Lifetimes and limits of the NFC flow (docs/C-ocr-will-nfc-eid.md §6.1, §9.3).
const (
	NFCCertIDLifetime  = 5 * time.Minute
	NFCReqIDWindow     = 5 * time.Minute
	NFCReqIDMaxQueries = 10
)

// WithNFCKey sets the server's NFC key: 32 hex characters (a 16-byte SM4 key). Anything else is a
// programming error and makes NewServer panic. Without it every server has a random key, which
// NFCKey returns.
func WithNFCKey(hexKey string) Option {
	return func(cfg *config) {
		key, err := hex.DecodeString(hexKey)
		if err != nil || len(key) != sm4.BlockSize {
			panic("kyctest: WithNFCKey needs 32 hex characters")
		}
		cfg.nfcKey = key
	}
}

// NFCKey returns the server's NFC key as 32 upper-case hex characters, for kyc.WithNFCKey.
func (s *Server) NFCKey() string { return strings.ToUpper(hex.EncodeToString(s.nfc.key)) }

// NFCCard is what the chip holds, as the fake returns it once decrypted. Fields that the
// document type does not have (docs/C-ocr-will-nfc-eid.md §6.4) are left out of the answer.
type NFCCard struct {
	Name, EnName, Sex, Nation, Birth, Address, IDNo string
	ValidDateBegin, ValidDateEnd                    string
	SigningOrganization                             string
}

// SampleNFCCard returns an invented identity as an NFC read would return it.
func SampleNFCCard() NFCCard {
	return NFCCard{Name: "测试用户", EnName: "CE SHI YONG HU", Sex: "男", Nation: "汉", Birth: "19900101",
		Address: "测试省测试市测试路1号", IDNo: "KYCTEST0000000001", ValidDateBegin: "20200101", ValidDateEnd: "20400101",
		SigningOrganization: "测试市公安局"}
}

// NFCOrderInfo is what the server knows about an NFC order, for assertions.
type NFCOrderInfo struct {
	AppID, OrderNo, UserID string
	CardType               string // nfcType: "1" or "3"
	CertID                 string
	Created, CertExpires   time.Time
	ReqID                  string    // set by CompleteNFC
	ReadAt                 time.Time // when the chip was read
	Queries                int       // getIdcardNfcResult answers given for the reqId
}

// nfcState holds NFC orders, guarded by Server.mu.
type nfcState struct {
	key    []byte
	orders map[orderKey]*nfcOrder
}

type nfcOrder struct {
	NFCOrderInfo
	card NFCCard
}

func (s *Server) registerNFC() {
	key := s.cfg.nfcKey
	if key == nil {
		key = make([]byte, sm4.BlockSize)
		rand.Read(key) // never fails (Go 1.24+)
	}
	s.nfc = &nfcState{key: key, orders: map[orderKey]*nfcOrder{}}
	s.handleRow(EndpointNFCCertID, s.serveNFCCertID)
	s.handleRow(EndpointNFCResult, s.serveNFCResult)
}

// serveNFCCertID is POST /api/server/getOcrCertId (docs/C-ocr-will-nfc-eid.md §6.2). Its code is a JSON number, as in
// the manual's example.
func (s *Server) serveNFCCertID(w http.ResponseWriter, r *http.Request) {
	now := s.Clock.Now()
	fail := func(code string) { writeJSON(w, envelope(json.Number(code), codeMsg(code), bizSeqNo(now), now, nil)) }
	f, ok := readBody(w, r)
	valid := ok && f["appId"] != "" && validOrderNo(f["orderNo"]) && validUserID(f["userId"]) && f["version"] == apiVersion &&
		f["sign"] != "" && validNonce(f["nonce"]) && oneOf(f["nfcType"], "1", "3")
	if code := s.refusal(EndpointNFCCertID, f, valid); code != "" {
		fail(code)
		return
	}
	o := &nfcOrder{NFCOrderInfo: NFCOrderInfo{AppID: f["appId"], OrderNo: f["orderNo"], UserID: f["userId"],
		CardType: f["nfcType"], CertID: "oc" + randomString(30, "0123456789abcdef"), Created: now, CertExpires: now.Add(NFCCertIDLifetime)}}
	if !addOrder(s, s.nfc.orders, orderKey{o.AppID, o.OrderNo}, o) {
		fail(codeOrderReused)
		return
	}
	seq := bizSeqNo(now)
	writeJSON(w, envelope(json.Number("0"), "成功", seq, now, object{{"bizSeqNo", seq}, {"orderNo", o.OrderNo}, {"ocrCertId", o.CertID}}))
}

// findNFCOrder finds orderNo among the default app's NFC orders, then the others'. Call with s.mu
// held.
func (s *Server) findNFCOrder(orderNo string) *nfcOrder {
	if o := s.nfc.orders[orderKey{s.AppID, orderNo}]; o != nil {
		return o
	}
	for k, o := range s.nfc.orders {
		if k.orderNo == orderNo {
			return o
		}
	}
	return nil
}

// CompleteNFC does what the NFC SDK does when it reads the chip for orderNo: the order's
// ocrCertId must be alive (less than NFCCertIDLifetime old) and unread. It records card and
// returns the new reqId, which the app hands to the partner backend.
func (s *Server) CompleteNFC(orderNo string, card NFCCard) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	o := s.findNFCOrder(orderNo)
	switch {
	case o == nil:
		return "", fmt.Errorf("%w (orderNo %s)", ErrUnknownOrder, orderNo)
	case o.ReqID != "":
		return "", fmt.Errorf("%w (orderNo %s)", ErrOrderCompleted, orderNo)
	case !now.Before(o.CertExpires):
		return "", fmt.Errorf("%w: ocrCertId expired (orderNo %s)", ErrFaceIDExpired, orderNo)
	}
	o.ReqID, o.ReadAt, o.card = "rq"+randomString(30, "0123456789abcdef"), now, card
	return o.ReqID, nil
}

// NFCOrder returns what the server knows about an NFC order (default app first).
func (s *Server) NFCOrder(orderNo string) (NFCOrderInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.findNFCOrder(orderNo); o != nil {
		return o.NFCOrderInfo, true
	}
	return NFCOrderInfo{}, false
}

// serveNFCResult is POST /api/v2/nfcpaas/getIdcardNfcResult (docs/C-ocr-will-nfc-eid.md §6.4, §9.3): 66664004 for an
// unknown reqId, 66664005 past the window, 66664003 past the tenth query.
func (s *Server) serveNFCResult(w http.ResponseWriter, r *http.Request) {
	f, ok := readBody(w, r)
	if code := s.refusal(EndpointNFCResult, f, ok && validQuery(f) && f["reqId"] != ""); code != "" {
		s.writeCode(w, code)
		return
	}
	now := s.Clock.Now()
	s.mu.Lock()
	o := s.nfc.orders[orderKey{f["appId"], f["orderNo"]}]
	code := ""
	switch {
	case o == nil || o.ReqID == "" || o.ReqID != f["reqId"]:
		code = "66664004"
	case !now.Before(o.ReadAt.Add(NFCReqIDWindow)):
		code = "66664005"
	case o.Queries >= NFCReqIDMaxQueries:
		code = "66664003"
	}
	var info NFCOrderInfo
	var card NFCCard
	if code == "" {
		o.Queries++
		info, card = o.NFCOrderInfo, o.card
	}
	s.mu.Unlock()
	if code != "" {
		s.writeEnvelope(w, code, msgFor(code), nil)
		return
	}
	plain := s.nfcPlaintext(info, card, f["getPhoto"] == "1")
	seq := bizSeqNo(now)
	writeJSON(w, envelope(s.code("0"), codeMsg("0"), seq, now, object{{"bizSeqNo", seq}, {"nfcEnResult", s.encryptNFC(plain)}}))
}

// nfcPlaintext is the decrypted JSON of docs/C-ocr-will-nfc-eid.md §6.4: the PRC ID card has no enName; the permit has
// no nation, address, validDateBegin, signingOrganization, front or back image.
func (s *Server) nfcPlaintext(info NFCOrderInfo, c NFCCard, photos bool) []byte {
	permit := info.CardType == "3"
	o := object{{"orderNo", info.OrderNo}, {"reqId", info.ReqID}, {"name", c.Name}}
	for _, f := range []struct {
		name, value string
		on          bool // the card type has the field
	}{
		{"enName", c.EnName, permit}, {"sex", c.Sex, true}, {"nation", c.Nation, !permit},
		{"birth", c.Birth, true}, {"address", c.Address, !permit}, {"idcard", c.IDNo, true},
		{"validDateBegin", c.ValidDateBegin, !permit}, {"validDateEnd", c.ValidDateEnd, true},
		{"signingOrganization", c.SigningOrganization, !permit},
	} {
		if f.on {
			o = append(o, field{f.name, f.value})
		}
	}
	if photos && s.cfg.photoBytes > 0 {
		if !permit {
			o = append(o, field{"frontPhoto", b64(fakePhoto(info.OrderNo, 0, s.cfg.photoBytes))},
				field{"backPhoto", b64(fakePhoto(info.OrderNo, 1, s.cfg.photoBytes))})
		}
		o = append(o, field{"portraitPhoto", b64(fakePhoto(info.OrderNo, 2, s.cfg.photoBytes))})
	}
	b, _ := json.Marshal(o) // our own strings: cannot fail
	return b
}

// encryptNFC is SM4-ECB with PKCS#7 padding under the server's key, then standard base64.
func (s *Server) encryptNFC(plain []byte) string {
	block, err := sm4.NewCipher(s.nfc.key)
	if err != nil {
		panic("kyctest: bad NFC key") // checked when the server was made
	}
	ct := padding.NewPKCS7Padding(sm4.BlockSize).Pad(plain)
	gmcipher.NewECBEncrypter(block).CryptBlocks(ct, ct)
	return base64.StdEncoding.EncodeToString(ct)
}
