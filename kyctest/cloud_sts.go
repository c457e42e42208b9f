package kyctest

import (
	"io"
	"net/http"
	"strings"
	"time"
)

// Temporary API 3.0 credentials, as a client's credential providers fetch them, served on the
// same loopback server so that what they hand out signs the faceid actions here:
//
//   - STS AssumeRole (service sts, version 2018-08-13, https://cloud.tencent.com/document/api/1312/48197)
//     at POST / with X-TC-Action: AssumeRole, TC3-signed (service "sts") by a registered key;
//     each call issues new credentials for DurationSeconds (default 7200, 1 to 43200);
//   - the CVM instance metadata service (https://cloud.tencent.com/document/product/213/47668):
//     GET /latest/meta-data/cam/security-credentials/ lists the bound role, and
//     GET /latest/meta-data/cam/security-credentials/ROLE answers its credentials
//     {TmpSecretId, TmpSecretKey, Token, ExpiredTime, Expiration, Code: "Success"}, renewed once
//     half their life has passed (WithCVMRole sets the role and the lifetime).
//
// Issued credentials work until they expire on the Clock (then AuthFailure.TokenFailure) or are
// revoked (RevokeCloudCredentials; then AuthFailure.SecretIdNotFound). CloudKeyUses counts the
// requests each key signed.

// Defaults of the temporary credentials.
const (
	// DefaultCVMRole is the role the metadata endpoint says is bound (WithCVMRole changes it).
	DefaultCVMRole = "kyctest-cvm-role"
	// DefaultTemporaryLifetime is how long the CVM role's credentials live.
	DefaultTemporaryLifetime = 2 * time.Hour
	// EndpointAssumeRole and EndpointCVMRole are the counter names (Requests) of the two.
	EndpointAssumeRole = "sts:AssumeRole"
	EndpointCVMRole    = "metadata:cam/security-credentials"
	// MetadataRolePath is the metadata path that lists the role; the role's credentials are at
	// MetadataRolePath + role.
	MetadataRolePath = "/latest/meta-data/cam/security-credentials/"
)

// stsState is the temporary-credential side of a Server.
type stsState struct {
	role     string
	lifetime time.Duration
	current  *cloudCred // the role's credentials, guarded by the cloud state's credMu
}

// WithCVMRole sets the role the metadata endpoint serves and the lifetime of its credentials
// (zero keeps DefaultTemporaryLifetime).
func WithCVMRole(role string, lifetime time.Duration) Option {
	return func(cfg *config) { cfg.cloud.cvmRole, cfg.cloud.cvmLifetime = role, lifetime }
}

// registerSTS adds AssumeRole and the metadata endpoint. Called by NewServer before
// registerCloud (whose catch-all answers any other action).
func (s *Server) registerSTS() {
	st := &stsState{role: s.cfg.cloud.cvmRole, lifetime: s.cfg.cloud.cvmLifetime}
	if st.role == "" {
		st.role = DefaultCVMRole
	}
	if st.lifetime <= 0 {
		st.lifetime = DefaultTemporaryLifetime
	}
	s.sts = st
	s.routes["/"] = append(s.routes["/"], &route{
		endpoint: EndpointAssumeRole, method: http.MethodPost,
		when: func(r *http.Request) bool { return r.Header.Get("X-TC-Action") == "AssumeRole" },
		h:    s.assumeRole,
		code: writeCloudFault,
	})
	s.handle(EndpointCVMRole, http.MethodGet, MetadataRolePath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, st.role)
	})
	s.handle(EndpointCVMRole, http.MethodGet, MetadataRolePath+st.role, s.cvmRoleCredentials)
}

// issue registers new temporary credentials living d from now.
func (s *Server) issue(d time.Duration) cloudCred {
	c := cloudCred{id: "AKIDTMP" + randomString(29, alnum), key: randomString(40, alnum),
		token: randomString(96, alnum), expires: s.Clock.Now().Add(d)}
	s.cloud.credMu.Lock()
	s.cloud.creds[c.id] = c
	s.cloud.credMu.Unlock()
	return c
}

// assumeRoleParams are AssumeRole's parameters.
type assumeRoleParams struct {
	RoleArn         string `json:"RoleArn"`
	RoleSessionName string `json:"RoleSessionName"`
	DurationSeconds *int64 `json:"DurationSeconds"`
	Policy          string `json:"Policy"`
	ExternalID      string `json:"ExternalId"`
}

func (s *Server) assumeRole(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCloudBody))
	if err != nil {
		writeCloudError(w, "RequestSizeLimitExceeded", "请求包超过限制大小")
		return
	}
	if e := s.authenticateService(r, body, "sts", "2018-08-13"); e != nil {
		writeCloudError(w, e.code, e.msg)
		return
	}
	var p assumeRoleParams
	if e := decodeParams(body, &p); e != nil {
		writeCloudError(w, e.code, e.msg)
		return
	}
	switch {
	case p.RoleArn == "" || p.RoleSessionName == "":
		writeCloudError(w, "MissingParameter", "The request is missing a required parameter `RoleArn` or `RoleSessionName`.")
		return
	case !strings.HasPrefix(p.RoleArn, "qcs::cam::uin/") || !strings.Contains(p.RoleArn, ":role"):
		writeCloudError(w, "InvalidParameter.ResouceError", "RoleArn 格式错误")
		return
	case len(p.RoleSessionName) > 128 || strings.Trim(p.RoleSessionName, alnum+"_+=,.@-") != "":
		writeCloudError(w, "InvalidParameter.ParamError", "RoleSessionName 格式错误")
		return
	}
	d := int64(7200)
	if p.DurationSeconds != nil {
		d = *p.DurationSeconds
	}
	if d < 1 || d > 43200 {
		writeCloudError(w, "InvalidParameter.ParamError", "DurationSeconds 取值范围 0-43200")
		return
	}
	c := s.issue(time.Duration(d) * time.Second)
	writeCloudResponse(w, object{
		{"Credentials", object{{"Token", c.token}, {"TmpSecretId", c.id}, {"TmpSecretKey", c.key}}},
		{"ExpiredTime", c.expires.Unix()},
		{"Expiration", c.expires.UTC().Format(time.RFC3339)},
	})
}

// cvmRoleCredentials answers the role's current credentials, renewed once half their life has
// passed (so a client that refreshes before expiry gets new ones).
func (s *Server) cvmRoleCredentials(w http.ResponseWriter, r *http.Request) {
	st := s.sts
	now := s.Clock.Now()
	s.cloud.credMu.RLock()
	cur := st.current
	s.cloud.credMu.RUnlock()
	if cur == nil || !now.Before(cur.expires.Add(-st.lifetime/2)) {
		c := s.issue(st.lifetime)
		s.cloud.credMu.Lock()
		st.current = &c
		s.cloud.credMu.Unlock()
		cur = &c
	}
	writeJSON(w, object{
		{"TmpSecretId", cur.id}, {"TmpSecretKey", cur.key},
		{"ExpiredTime", cur.expires.Unix()}, {"Expiration", cur.expires.UTC().Format(time.RFC3339)},
		{"Token", cur.token}, {"Code", "Success"},
	})
}

// lookupCred finds a registered key that was not revoked.
func (cs *cloudState) lookupCred(id string) (cloudCred, bool) {
	cs.credMu.RLock()
	defer cs.credMu.RUnlock()
	c, ok := cs.creds[id]
	return c, ok && !c.revoked
}

// used counts a request authenticated with key id.
func (cs *cloudState) used(id string) {
	cs.credMu.Lock()
	cs.uses[id]++
	cs.credMu.Unlock()
}

// RevokeCloudCredentials makes the key secretID fail from now on (AuthFailure.SecretIdNotFound),
// as a key deleted in the console or superseded would. It reports whether the key was known.
func (s *Server) RevokeCloudCredentials(secretID string) bool {
	s.cloud.credMu.Lock()
	defer s.cloud.credMu.Unlock()
	c, ok := s.cloud.creds[secretID]
	if ok {
		c.revoked = true
		s.cloud.creds[secretID] = c
	}
	return ok
}

// CloudKeyUses returns how many API 3.0 requests each SecretId signed that were accepted.
func (s *Server) CloudKeyUses() map[string]int {
	s.cloud.credMu.RLock()
	defer s.cloud.credMu.RUnlock()
	out := make(map[string]int, len(s.cloud.uses))
	for k, v := range s.cloud.uses {
		out[k] = v
	}
	return out
}
