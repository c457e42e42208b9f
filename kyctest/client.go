package kyctest

import "github.com/kycgo/kyc"

// This is the only non-test file of the package that imports the SDK, and only for its options:
// the server judges every request with its own tables (signer.go, codes.go), never the SDK's.

// ClientOptions returns the options that point a kyc client at this server:
//
//	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
//
// They set the kyc1 base URL and the API 3.0 endpoint to URL, the client's clock to Clock, the
// API 3.0 credentials to SecretID and SecretKey, and the NFC key to NFCKey(). OCR uses the
// default app, which this server serves OCR for too. Options given after them override them.
func (s *Server) ClientOptions() []kyc.Option {
	return []kyc.Option{
		kyc.WithBaseURL(s.URL),
		kyc.WithClock(s.Clock),
		kyc.WithCloudEndpoint(s.URL),
		kyc.WithCloudCredentials(s.SecretID, s.SecretKey),
		kyc.WithNFCKey(s.NFCKey()),
	}
}
