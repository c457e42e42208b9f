package kyc

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Local input checks shared by several products. Each returns an *InputError that names the
// wire field and the rule it breaks, never the value: values may be personal or secret.

// Documented lengths of the identifiers a caller passes back to the service.
const (
	// maxFaceIDLen is the faceId / h5faceId column of the login tables: "String 32" (spec B
	// 3.2, B 4, C 5.4.2). Every documented example is 32 characters.
	maxFaceIDLen = 32
	// maxCertIDLen is openApiOcrCertId's column (spec C 6.3: 40).
	maxCertIDLen = 40
	// maxReqIDLen is getIdcardNfcResult's reqId column (spec C 6.4: "String 40").
	maxReqIDLen = 40
	// maxURLLen bounds a callback or redirect URL, counted in bytes: the API 3.0 RedirectUrl
	// says "最长长度1024位" (spec B 2.1, C 4.6). The kyc1 login tables give the url no length;
	// the same 1,024 is applied there, counted in bytes (stricter than characters), the reading
	// that fails safe.
	maxURLLen = 1024
	// maxHostLen and maxLabelLen are the DNS limits of a host name (RFC 1035): optimalDomain is
	// one (spec B 3.2).
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
	if m < NoMedia || m > VideoOnly {
		return invalidInput("getFile", "must be NoMedia, PhotoAndVideo, PhotoOnly or VideoOnly")
	}
	return nil
}

// check refuses a WillFiles outside the three defined values (it would otherwise be sent as
// "0", no files).
func (f WillFiles) check() error {
	if f < NoWillFiles || f > WillFilesButVideo {
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
// special characters" (spec A 2.3). Read strictly: ASCII letters and digits only, which is the
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
