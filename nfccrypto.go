package kyc

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"unicode/utf8"

	gmcipher "github.com/emmansun/gmsm/cipher"
	"github.com/emmansun/gmsm/padding"
	"github.com/emmansun/gmsm/sm4"
)

// NFCCard is the decrypted content of an NFC result (docs/C-ocr-will-nfc-eid.md §6.4): the chip's data. Which fields
// are filled depends on the document (the permit has EnName but no Nation, Address, front or back
// image). Dates are kept as sent. It prints redacted.
type NFCCard struct {
	OrderNo             string `wire:"orderNo"`
	ReqID               string `wire:"reqId"`
	Name                string `wire:"name"`
	EnName              string `wire:"enName"` // permit only
	Sex                 string `wire:"sex"`
	Nation              string `wire:"nation"` // ID card only
	Birth               string `wire:"birth"`
	Address             string `wire:"address"`        // ID card only
	IDNo                string `wire:"idcard"`         // the document number (idcard)
	ValidDateBegin      string `wire:"validDateBegin"` // ID card only
	ValidDateEnd        string `wire:"validDateEnd"`
	SigningOrganization string `wire:"signingOrganization"`  // ID card only
	FrontPhoto          Media  `wire:"frontPhoto,base64"`    // with NFCQuery.Photos; ID card only
	BackPhoto           Media  `wire:"backPhoto,base64"`     // with NFCQuery.Photos; ID card only
	PortraitPhoto       Media  `wire:"portraitPhoto,base64"` // the chip portrait, with NFCQuery.Photos
}

// String keeps the identity and the photos out of logs and error messages.
func (c NFCCard) String() string {
	return fmt.Sprintf("NFCCard{orderNo: %s, reqId: %s, name: REDACTED, idNo: REDACTED, address: REDACTED, photos: %d bytes}",
		c.OrderNo, c.ReqID, len(c.FrontPhoto)+len(c.BackPhoto)+len(c.PortraitPhoto))
}

// GoString keeps %#v redacted too.
func (c NFCCard) GoString() string { return c.String() }

// LogValue keeps the identity and the photos out of structured logs.
func (c NFCCard) LogValue() slog.Value {
	return slog.GroupValue(slog.String("orderNo", c.OrderNo), slog.String("reqId", c.ReqID))
}

// decryptNFC decrypts nfcEnResult's ciphertext (already base64-decoded) with key: SM4, ECB mode,
// PKCS#7 padding on 16-byte blocks (BouncyCastle's "SM4/ECB/PKCS5Padding"), then parses the UTF-8
// plaintext as the documented JSON object (docs/C-ocr-will-nfc-eid.md §6.5). ct is decrypted in place and the
// plaintext wiped before returning. Any failure before the JSON is read matches ErrDecrypt: a
// wrong key gives random bytes, which fail the padding check or the JSON parse, never garbage.
func decryptNFC(key, ct []byte) (*NFCCard, error) {
	pt, err := sm4Open(key, ct)
	if err != nil {
		return nil, err
	}
	defer clear(ct)
	trimmed := bytes.TrimLeft(pt, " \t\r\n")
	if !utf8.Valid(pt) || len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: plaintext is not a UTF-8 JSON object (wrong key or corrupt ciphertext)", ErrDecrypt)
	}
	card := &NFCCard{}
	if _, err := decodeObject(pt, card); err != nil {
		var nb notBase64
		if errors.As(err, &nb) {
			return nil, fmt.Errorf("%w: %s in the decrypted result is not base64", ErrBadResponse, nb.field)
		}
		return nil, fmt.Errorf("%w: plaintext is not the documented JSON", ErrDecrypt)
	}
	return card, nil
}

// sm4Open decrypts ct in place with SM4 in ECB mode and removes the PKCS#7 padding; the
// plaintext it returns shares ct's memory. Failures match ErrDecrypt.
func sm4Open(key, ct []byte) ([]byte, error) {
	block, err := sm4.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: the key is not a 16-byte SM4 key", ErrDecrypt)
	}
	if len(ct) == 0 || len(ct)%sm4.BlockSize != 0 {
		return nil, fmt.Errorf("%w: ciphertext is %d bytes, not whole 16-byte blocks", ErrDecrypt, len(ct))
	}
	gmcipher.NewECBDecrypter(block).CryptBlocks(ct, ct)
	pt, err := padding.NewPKCS7Padding(sm4.BlockSize).Unpad(ct)
	if err != nil {
		clear(ct)
		return nil, fmt.Errorf("%w: bad padding (wrong key or corrupt ciphertext)", ErrDecrypt)
	}
	return pt, nil
}
