package kyc

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/emmansun/gmsm/sm4"
)

// Local input checks shared by several products. Each returns an *InputError that names the
// wire field and the rule it breaks, never the value: values may be personal or secret.

// Documented lengths of the identifiers a caller passes back to the service.
const (
	// maxFaceIDLen is the faceId / h5faceId column of the login tables: "String 32" (docs/B-h5-wechat-billing.md
	// §3.2, docs/B-h5-wechat-billing.md §4, docs/C-ocr-will-nfc-eid.md §5.4.2). Every documented example is 32 characters.
	maxFaceIDLen = 32
	// maxCertIDLen is openApiOcrCertId's column (docs/C-ocr-will-nfc-eid.md §6.3: 40).
	maxCertIDLen = 40
	// maxReqIDLen is getIdcardNfcResult's reqId column (docs/C-ocr-will-nfc-eid.md §6.4: "String 40").
	maxReqIDLen = 40
	// maxURLLen bounds a callback or redirect URL, counted in bytes: the API 3.0 RedirectUrl
	// says "最长长度1024位" (docs/B-h5-wechat-billing.md §2.1, docs/C-ocr-will-nfc-eid.md §4.6). The kyc1 login tables give the url no length;
	// the same 1,024 is applied there, counted in bytes (stricter than characters), the reading
	// that fails safe.
	maxURLLen = 1024
	// maxHostLen and maxLabelLen are the DNS limits of a host name (RFC 1035): optimalDomain is
	// one (docs/B-h5-wechat-billing.md §3.2).
	maxHostLen  = 253
	maxLabelLen = 63
)

// checkAlnumID checks an identifier the service issued and the caller hands back (faceId,
// h5faceId, ocrCertId, reqId): 1 to max ASCII letters and digits, the alphabet of every
// documented example.
func checkAlnumID(field, v string, max int) error {
	switch {
	case v == "":
		return invalidInput(field, "must not be empty")
	case len(v) > max:
		return invalidInput(field, fmt.Sprintf("must be at most %d characters", max))
	case !isAlnum(v):
		return invalidInput(field, "must contain only ASCII letters and digits")
	}
	return nil
}

// checkURL checks a callback or redirect URL: at most maxURLLen bytes, absolute, http or
// https, with a host and without user information (which would hand credentials to the
// service and the browser, and is the classic way to dress one host up as another).
func checkURL(field, raw string) error {
	if len(raw) > maxURLLen {
		return invalidInput(field, fmt.Sprintf("must be at most %d bytes", maxURLLen))
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "":
		return invalidInput(field, "must be an absolute URL starting with http:// or https://")
	case u.User != nil:
		return invalidInput(field, "must not carry user information (user:password@)")
	case u.Port() != "" && !validPort(u.Port()):
		return invalidInput(field, "must have a port between 1 and 65535")
	}
	return nil
}

// checkOptimalDomain checks an optimalDomain the caller passes in for a login URL: a host name
// (RFC 1035 labels, at most maxHostLen characters), an IPv4 address or a bracketed IPv6
// address, with an optional port; nothing else (no scheme, path, user information or spaces),
// since it becomes the authority of the URL the browser is sent to.
func checkOptimalDomain(domain string) error {
	const field = "optimalDomain"
	host := domain
	if h, p, err := net.SplitHostPort(domain); err == nil {
		if !validPort(p) {
			return invalidInput(field, "must have a port between 1 and 65535")
		}
		host = h // without the brackets of an IPv6 address
	} else if strings.HasPrefix(domain, "[") && strings.HasSuffix(domain, "]") {
		host = domain[1 : len(domain)-1]
	}
	ip := net.ParseIP(host)
	switch {
	case strings.HasPrefix(domain, "["): // only an IPv6 address goes in brackets
		if ip == nil || ip.To4() != nil || host == domain {
			return invalidInput(field, "must be a host name or an IP address")
		}
		return nil
	case ip != nil && ip.To4() == nil:
		return invalidInput(field, "an IPv6 address must be in brackets")
	case ip != nil:
		return nil
	}
	return checkHostName(field, host)
}

// checkHostName checks a DNS host name: 1 to maxHostLen characters, dot-separated labels of 1
// to maxLabelLen ASCII letters, digits and hyphens, neither starting nor ending with a hyphen.
func checkHostName(field, host string) error {
	switch {
	case host == "":
		return invalidInput(field, "must not be empty")
	case len(host) > maxHostLen:
		return invalidInput(field, fmt.Sprintf("must be a host name of at most %d characters", maxHostLen))
	}
	for label := range strings.SplitSeq(host, ".") {
		switch {
		case label == "":
			return invalidInput(field, "must be a host name without empty labels")
		case len(label) > maxLabelLen:
			return invalidInput(field, fmt.Sprintf("must be a host name whose labels are at most %d characters", maxLabelLen))
		case label[0] == '-' || label[len(label)-1] == '-':
			return invalidInput(field, "must be a host name whose labels neither start nor end with a hyphen")
		case !isAlnum(strings.ReplaceAll(label, "-", "")):
			return invalidInput(field, "must be a host name of ASCII letters, digits, hyphens and dots")
		}
	}
	return nil
}

// validPort reports a decimal port between 1 and 65535.
func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535 && p[0] != '+' && p[0] != '-'
}

// check refuses a MediaChoice outside the four defined values: an unknown one would otherwise
// be sent as "no media" and look like media that is missing.
func (m MediaChoice) check() error {
	switch m {
	case NoMedia, PhotoAndVideo, PhotoOnly, VideoOnly:
	default:
		return invalidInput("getFile", "must be NoMedia, PhotoAndVideo, PhotoOnly or VideoOnly")
	}
	return nil
}

// check refuses a WillFiles outside the three defined values (it would otherwise be sent as
// "0", no files).
func (f WillFiles) check() error {
	switch f {
	case NoWillFiles, AllWillFiles, WillFilesButVideo:
	default:
		return invalidInput("getWillFile", "must be NoWillFiles, AllWillFiles or WillFilesButVideo")
	}
	return nil
}

func checkAppID(appID string) error {
	switch {
	case appID == "":
		return invalidInput("appId", "must not be empty")
	case len(appID) > 32 || !isAlnum(appID):
		return invalidInput("appId", "must be up to 32 letters and digits")
	}
	return nil
}

func checkSecret(secret string) error {
	switch {
	case secret == "":
		return invalidInput("secret", "must not be empty")
	case len(secret) > 128 || strings.ContainsAny(secret, " \t\r\n"):
		return invalidInput("secret", "must be at most 128 characters without spaces")
	}
	return nil
}

// checkUserID applies the manual's rule for userId / user_id: at most 32 characters and "no
// special characters" (docs/A-auth-sign-face.md §2.3). Read strictly: ASCII letters and digits only, which is the
// reading that cannot be refused by the service.
func checkUserID(userID string) error {
	switch {
	case userID == "":
		return invalidInput("userId", "must not be empty")
	case len(userID) > 32:
		return invalidInput("userId", "must be at most 32 characters")
	case !isAlnum(userID):
		return invalidInput("userId", "must contain only ASCII letters and digits")
	}
	return nil
}

// checkOrderNo: 1-32 letters and digits (docs/A-auth-sign-face.md §8 item 10).
func checkOrderNo(orderNo string) error {
	switch {
	case orderNo == "":
		return invalidInput("orderNo", "must not be empty")
	case len(orderNo) > 32:
		return invalidInput("orderNo", "must be at most 32 characters")
	case !isAlnum(orderNo):
		return invalidInput("orderNo", "must contain only ASCII letters and digits")
	}
	return nil
}

// checkName: the manual gives no limit; refuse what cannot be a name (empty after trimming,
// control characters, over 64 characters) rather than send it.
func checkName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return invalidInput("name", "must not be blank")
	case !utf8.ValidString(name):
		return invalidInput("name", "must be valid UTF-8")
	case utf8.RuneCountInString(name) > 64:
		return invalidInput("name", "must be at most 64 characters")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return invalidInput("name", "must not contain control characters")
	}
	return nil
}

// checkIDNo: certificate numbers are letters and digits (an 18-character PRC ID ends in a digit
// or an upper-case X, as the service requires); at most 32.
func checkIDNo(idNo string) error {
	switch {
	case len(idNo) > 32:
		return invalidInput("idNo", "must be at most 32 characters")
	case !isAlnum(idNo):
		return invalidInput("idNo", "must contain only ASCII letters and digits")
	case len(idNo) == 18 && idNo[17] == 'x':
		return invalidInput("idNo", "the check character X must be upper-case")
	}
	return nil
}

// checkPhoto: JPG, PNG or BMP by content, at most 500 KB, with its type (docs/A-auth-sign-face.md §4.1).
func checkPhoto(photo []byte, t PhotoType) error {
	if t != PhotoWatermarked && t != PhotoHD {
		return invalidInput("sourcePhotoType", `must be PhotoWatermarked ("1") or PhotoHD ("2") when a photo is sent`)
	}
	if len(photo) > MaxPhotoSize {
		return invalidInput("sourcePhotoStr", fmt.Sprintf("photo is %d bytes; at most %d before base64", len(photo), MaxPhotoSize))
	}
	if imageFormat(photo) == "" {
		return invalidInput("sourcePhotoStr", "photo must be a JPG, PNG or BMP image")
	}
	return nil
}

// imageFormat names the image type by its magic bytes; anything under 32 bytes cannot be a
// usable photo and is refused too.
func imageFormat(b []byte) string {
	switch {
	case len(b) < 32:
		return ""
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("BM")) && len(b) > 26:
		return "bmp"
	}
	return ""
}

// utf16Len is the length of s as Java counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// checkText refuses text that cannot be a prompt or an answer.
func checkText(field, s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return invalidInput(field, "must not be blank")
	case !utf8.ValidString(s):
		return invalidInput(field, "must be valid UTF-8")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return invalidInput(field, "must not contain control characters")
	}
	return nil
}

// maxSDKUserID is the userId limit of the OCR and NFC SDKs' InputData (openApiUserId, 30),
// stricter than the 32 of the NONCE ticket (docs/C-ocr-will-nfc-eid.md §2.3, §6.3, 10 item 11): refusing 31 and 32
// here is the reading that cannot fail in the app.
const maxSDKUserID = 30

func checkSDKUserID(userID string) error {
	if len(userID) > maxSDKUserID {
		return invalidInput("userId", "must be at most 30 characters for the OCR and NFC SDKs")
	}
	return nil
}

// checkReqID: the SDK's reqId as the service issues it, 1 to 40 ASCII letters and digits (its
// column in the manual, docs/C-ocr-will-nfc-eid.md §6.4). The manual does not name its alphabet; every documented and
// observed reqId is letters and digits, and anything else cannot be one the service issued: it
// is refused before it spends one of the reqId's ten queries.
func checkReqID(reqID string) error { return checkAlnumID("reqId", reqID, maxReqIDLen) }

// checkCloudID checks an identifier parameter (RuleId, BizToken, MerchantId, EidToken): 1 to max
// printable ASCII characters without spaces.
func checkCloudID(field, v string, max int) error {
	switch {
	case v == "":
		return invalidInput(field, "must not be empty")
	case len(v) > max:
		return invalidInput(field, fmt.Sprintf("must be at most %d characters", max))
	case strings.IndexFunc(v, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0:
		return invalidInput(field, "must be printable ASCII without spaces")
	}
	return nil
}

// checkCloudIdentity checks an optional Name and IdCard pair (docs/B-h5-wechat-billing.md §2.1, docs/C-ocr-will-nfc-eid.md §4.6): both or
// neither; Name at most 32 characters; IdCard letters and digits, at most 32, letters upper-case
// ("the letter must be an upper-case X").
func checkCloudIdentity(name, idCard string) error {
	if (name == "") != (idCard == "") {
		return invalidInput("Name", "Name and IdCard go together: send both or neither")
	}
	if name == "" {
		return nil
	}
	if err := checkName(name); err != nil {
		return renameField(err, "Name")
	}
	if err := cloudText("Name", name, 32); err != nil {
		return err
	}
	if err := checkIDNo(idCard); err != nil {
		return renameField(err, "IdCard")
	}
	if strings.ToUpper(idCard) != idCard {
		return invalidInput("IdCard", "letters must be upper-case")
	}
	return nil
}

func parseNFCKey(hexKey string) ([]byte, error) {
	hexKey = strings.TrimSpace(hexKey)
	if len(hexKey) != 2*sm4.BlockSize {
		return nil, invalidInput("NFC key", "must be 32 hex characters (a 16-byte SM4 key)")
	}
	key, err := hex.DecodeString(hexKey)
	if err != nil {
		return nil, invalidInput("NFC key", "must be 32 hex characters (a 16-byte SM4 key)")
	}
	return key, nil
}
