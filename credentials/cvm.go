package credentials

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kycgo/kyc"
)

// The CVM instance metadata service (https://cloud.tencent.com/document/product/213/47668):
// GET /latest/meta-data/cam/security-credentials/ names the role bound to the instance, and
// GET /latest/meta-data/cam/security-credentials/ROLE answers its temporary credentials as
// {TmpSecretId, TmpSecretKey, Token, ExpiredTime, Expiration, Code: "Success"}.

// defaultMetadataEndpoint is the metadata service (a variable so that this package's tests can
// make it unreachable).
var defaultMetadataEndpoint = "http://metadata.tencentyun.com"

// metadataRolePath is where the role and its credentials are.
const metadataRolePath = "/latest/meta-data/cam/security-credentials/"

// CVMRole is a provider of the temporary credentials of the CAM role bound to the CVM instance
// it runs on, read from the instance metadata service.
type CVMRole struct {
	// Role is the role's name; "" asks the metadata service which role is bound.
	Role string
	// Endpoint is the metadata service (default http://metadata.tencentyun.com).
	Endpoint string
	// HTTPClient sends the requests (default: a client with a 5 s timeout). A redirect is never
	// followed, with this client too: the answer is refused.
	HTTPClient *http.Client
}

// Retrieve reads the role's current credentials. No bound role is ErrNotFound.
func (p *CVMRole) Retrieve(ctx context.Context) (kyc.CloudCredentials, error) {
	base, err := endpointURL(p.Endpoint, defaultMetadataEndpoint)
	if err != nil {
		return kyc.CloudCredentials{}, err
	}
	hc := httpClient(p.HTTPClient, 5*time.Second)
	role := p.Role
	if role == "" {
		resp, err := p.get(ctx, hc, base.String()+metadataRolePath)
		if err != nil {
			return kyc.CloudCredentials{}, err
		}
		raw, err := io.ReadAll(io.LimitReader(resp.Body, 256))
		resp.Body.Close()
		role = strings.TrimSpace(string(raw))
		if i := strings.IndexByte(role, '\n'); i >= 0 {
			role = strings.TrimSpace(role[:i]) // one role per instance; take the first line
		}
		if err != nil || role == "" {
			return kyc.CloudCredentials{}, fmt.Errorf("%w: no CAM role bound to this instance", ErrNotFound)
		}
	}
	if strings.ContainsAny(role, "/?#% \t\r\n") {
		return kyc.CloudCredentials{}, &kyc.InputError{Field: "CVMRole.Role", Reason: "must be a role name"}
	}
	resp, err := p.get(ctx, hc, base.String()+metadataRolePath+role)
	if err != nil {
		return kyc.CloudCredentials{}, err
	}
	defer resp.Body.Close()
	var ans struct {
		TmpSecretID  string `json:"TmpSecretId"`
		TmpSecretKey string `json:"TmpSecretKey"`
		Token        string `json:"Token"`
		ExpiredTime  int64  `json:"ExpiredTime"`
		Expiration   string `json:"Expiration"`
		Code         string `json:"Code"`
	}
	if err := readJSON(resp, &ans); err != nil {
		return kyc.CloudCredentials{}, fmt.Errorf("credentials: CVM role: %w: %s", kyc.ErrBadResponse, err)
	}
	if ans.Code != "Success" {
		return kyc.CloudCredentials{}, fmt.Errorf("credentials: CVM role: %w: Code is not Success", kyc.ErrBadResponse)
	}
	exp, err := expiry(ans.ExpiredTime, ans.Expiration)
	if err != nil || ans.TmpSecretID == "" || ans.TmpSecretKey == "" || ans.Token == "" {
		return kyc.CloudCredentials{}, fmt.Errorf("credentials: CVM role: %w: incomplete credentials", kyc.ErrBadResponse)
	}
	return kyc.CloudCredentials{SecretID: ans.TmpSecretID, SecretKey: ans.TmpSecretKey, Token: ans.Token, Expires: exp}, nil
}

// get sends one metadata GET; 404 means no such role.
func (p *CVMRole) get(ctx context.Context, hc *http.Client, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, errors.New("credentials: CVM role: bad endpoint")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("credentials: CVM role: %w", redact(err))
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		resp.Body.Close()
		return nil, fmt.Errorf("%w: no such CAM role on this instance", ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		resp.Body.Close()
		return nil, fmt.Errorf("credentials: CVM role: %w: HTTP %d", kyc.ErrBadResponse, resp.StatusCode)
	}
	return resp, nil
}
