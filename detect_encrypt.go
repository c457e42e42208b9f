package kyc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Encrypted answers of GetDetectInfoEnhanced (DetectInfoRequest.EncryptText, EncryptBody): the
// request carries an Encryption object with a fresh wrapped key, the service encrypts under that
// key, and the answer is opened here with it before anything else reads it.

// detectInfoEncWire is GetDetectInfoEnhanced's request asking for an encrypted answer.
type detectInfoEncWire struct {
	detectInfoWire
	Encryption        *encryptionWire `json:"Encryption"`
	IsEncryptResponse bool            `json:"IsEncryptResponse,omitempty"`
}

// detectInfoEncBody is its answer: the usual members, plus how they were encrypted.
type detectInfoEncBody struct {
	detectInfoBody
	Encryption    *encryptionWire `json:"Encryption"`
	EncryptedBody string          `json:"EncryptedBody"`
}

// infoEncrypted is InfoEnhanced with an encrypted answer; w is the checked request.
func (s *DetectService) infoEncrypted(ctx context.Context, req DetectInfoRequest, w detectInfoWire) (*DetectInfo, error) {
	cc := s.c.cloud.cipher
	switch {
	case cc == nil:
		return nil, invalidInput("Encryption", "EncryptText and EncryptBody need kyc.WithCloudEncryption")
	case req.EncryptText && req.EncryptBody:
		return nil, invalidInput("Encryption", "ask for EncryptText or EncryptBody, not both")
	}
	e, err := cc.newEnvelope()
	if err != nil {
		return nil, err
	}
	defer e.wipe()
	ew := detectInfoEncWire{detectInfoWire: w}
	if req.EncryptBody {
		// The helper's whole-body request: EncryptList ["EncryptionBody"], TagList null.
		ew.Encryption, ew.IsEncryptResponse = e.object([]string{encryptBodyField}, nil), true
		ew.Encryption.TagList = nil
	} else {
		// The model says only Algorithm matters here, but the service can encrypt under a key we
		// know only if CiphertextBlob is sent (docs/D-api3-actions.md §4.7): the full object, nothing listed, as
		// no request field is encrypted.
		ew.Encryption = e.object([]string{}, nil)
	}
	var body detectInfoEncBody
	if err := s.c.cloudCall(ctx, "GetDetectInfoEnhanced", ew, &body, false); err != nil {
		return nil, err
	}
	if err := body.open(e, req.EncryptBody); err != nil {
		return nil, fmt.Errorf("kyc: GetDetectInfoEnhanced: %w: %s (requestId %s)", ErrBadResponse, err, body.RequestID)
	}
	return body.info(), nil
}

// open decrypts the answer in place with the request's envelope. The IV and tags are the
// answer's own (Encryption.Iv, TagList), as the official helper reads them; without an Iv the
// request's is used.
func (b *detectInfoEncBody) open(e *envelope, wholeBody bool) error {
	enc := b.Encryption
	iv := e.iv
	if enc != nil && enc.Iv != "" {
		var err error
		if iv, err = base64.StdEncoding.DecodeString(enc.Iv); err != nil {
			return errors.New("Encryption.Iv is not base64")
		}
	}
	if wholeBody {
		if b.EncryptedBody == "" {
			return errors.New("no EncryptedBody")
		}
		plain, err := e.open(b.EncryptedBody, iv, responseTag(enc, 0))
		if err != nil {
			return fmt.Errorf("EncryptedBody %w", err)
		}
		requestID := b.RequestID
		b.detectInfoBody = detectInfoBody{}
		if err := decodeEncryptedBody(plain, &b.detectInfoBody); err != nil {
			return err
		}
		b.RequestID = requestID // the envelope's: the one the service logged
		return nil
	}
	if enc == nil || b.Text == nil {
		return nil // nothing came back encrypted
	}
	fields := map[string]*string{"IdCard": &b.Text.IDCard, "Name": &b.Text.Name,
		"OcrIdCard": &b.Text.OCRIDCard, "OcrName": &b.Text.OCRName}
	for i, name := range enc.EncryptList {
		// The list's spelling is not documented (docs/D-api3-actions.md §4.7): a plain name and a path such as
		// Response.Text.IdCard are both read by their last element.
		p, ok := fields[name[strings.LastIndexByte(name, '.')+1:]]
		if !ok {
			return errors.New("Encryption.EncryptList names a field that is not encrypted in this answer")
		}
		if *p == "" {
			continue
		}
		plain, err := e.open(*p, iv, responseTag(enc, i))
		if err != nil {
			return fmt.Errorf("an encrypted Text field %w", err)
		}
		*p = string(plain)
	}
	return nil
}

// responseTag is the SM4-GCM tag of the i-th encrypted value. With one tag per EncryptList entry
// it is the i-th; otherwise the first, as the official helper's Decrypt uses TagList[0] for every
// field (docs/D-api3-actions.md §4.7). Either way a wrong tag fails authentication: it cannot give wrong data.
func responseTag(enc *encryptionWire, i int) string {
	switch {
	case enc == nil || len(enc.TagList) == 0:
		return ""
	case len(enc.TagList) == len(enc.EncryptList) && i < len(enc.TagList):
		return enc.TagList[i]
	}
	return enc.TagList[0]
}

// decodeEncryptedBody reads the decrypted answer: the Response object's members, or the same
// wrapped as {"Response": {...}} (the documents do not show which; both are accepted).
func decodeEncryptedBody(plain []byte, into *detectInfoBody) error {
	var wrapped struct {
		Response json.RawMessage `json:"Response"`
	}
	if json.Unmarshal(plain, &wrapped) == nil && len(wrapped.Response) > 0 && wrapped.Response[0] == '{' {
		plain = wrapped.Response
	}
	if err := json.Unmarshal(plain, into); err != nil {
		return errors.New("the decrypted EncryptedBody is not the answer's JSON")
	}
	return nil
}
