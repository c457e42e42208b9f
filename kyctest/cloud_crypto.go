package kyctest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"slices"
	"sync"

	"github.com/emmansun/gmsm/padding"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm4"
	"github.com/emmansun/gmsm/smx509"
)

// The service's side of the Encryption object (Tencent Cloud's "敏感数据加密" guide): the fake
// holds a key pair per algorithm, made on first use, hands out the public halves
// (CloudEncryptionKey), unwraps the symmetric key of every request that carries an Encryption
// object, decrypts the listed fields, and encrypts GetDetectInfoEnhanced's answer under the
// same key when asked. Written from the reference (and the official helper's behaviour it
// describes), not from the SDK: the request's key is CiphertextBlob, RSA PKCS#1 v1.5 for
// AES-256-CBC (PKCS#7 padding, 16-byte IV) and SM2 C1C3C2 for SM4-GCM (12-byte IV, one 16-byte
// tag per field in TagList); everything base64. A malformed object is refused as the service
// does: InvalidParameter for a missing member or unknown Algorithm,
// InvalidParameter.UnsupportEncryptField for a field the action does not encrypt, and
// FailedOperation.DecryptSystemError for anything that does not decrypt (a key wrapped with
// another public key, a bad IV, a wrong tag).

// The Encryption algorithms.
const (
	AlgorithmAES256CBC = "AES-256-CBC" // RSA-wrapped key
	AlgorithmSM4GCM    = "SM4-GCM"     // SM2-wrapped key
)

// Error codes of the Encryption checks.
const (
	CodeDecryptSystemError     = "FailedOperation.DecryptSystemError"
	CodeUnsupportEncryptField  = "InvalidParameter.UnsupportEncryptField"
	encryptBodyMarker          = "EncryptionBody" // EncryptList entry of a whole-body request
	maxEncryptedRequestsRecord = 1000
)

// cryptState is the fake's key pairs and what it saw.
type cryptState struct {
	once   sync.Once
	rsaKey *rsa.PrivateKey
	sm2Key *sm2.PrivateKey

	mu   sync.Mutex
	seen []EncryptedRequest
}

var cryptStates sync.Map // *Server → *cryptState: made on first use, so servers that never encrypt pay nothing

func (s *Server) crypt() *cryptState {
	v, _ := cryptStates.LoadOrStore(s, &cryptState{})
	cs := v.(*cryptState)
	cs.once.Do(func() {
		var err error
		// 1024 bits, the size of the service's published RSA key.
		if cs.rsaKey, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
			panic("kyctest: RSA key generation failed")
		}
		if cs.sm2Key, err = sm2.GenerateKey(rand.Reader); err != nil {
			panic("kyctest: SM2 key generation failed")
		}
	})
	return cs
}

// CloudEncryptionKey returns the PEM public key a client passes to kyc.WithCloudEncryption for
// algorithm (AlgorithmAES256CBC: an "RSA PUBLIC KEY" block; AlgorithmSM4GCM: a "PUBLIC KEY"
// block of an SM2 key), or "" for another algorithm.
func (s *Server) CloudEncryptionKey(algorithm string) string {
	cs := s.crypt()
	var b *pem.Block
	switch algorithm {
	case AlgorithmAES256CBC:
		b = &pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&cs.rsaKey.PublicKey)}
	case AlgorithmSM4GCM:
		der, err := smx509.MarshalPKIXPublicKey(&cs.sm2Key.PublicKey)
		if err != nil {
			panic("kyctest: SM2 key does not marshal")
		}
		b = &pem.Block{Type: "PUBLIC KEY", Bytes: der}
	default:
		return ""
	}
	return string(pem.EncodeToMemory(b))
}

// EncryptedRequest is what the fake saw of one request with an Encryption object.
type EncryptedRequest struct {
	Action      string
	Algorithm   string
	EncryptList []string
	// Wire holds the listed fields as they arrived (base64 ciphertext), Plain the same
	// decrypted.
	Wire, Plain map[string]string
	// Key and IV are the symmetric key the fake unwrapped and the request's IV.
	Key, IV []byte
}

// EncryptedRequests returns the requests with an Encryption object that decrypted, oldest
// first (the last 1000).
func (s *Server) EncryptedRequests() []EncryptedRequest {
	cs := s.crypt()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return slices.Clone(cs.seen)
}

// encryptionParams is the Encryption object.
type encryptionParams struct {
	EncryptList    []string `json:"EncryptList"`
	CiphertextBlob string   `json:"CiphertextBlob"`
	Iv             string   `json:"Iv"`
	Algorithm      string   `json:"Algorithm"`
	TagList        []string `json:"TagList"`
}

// sessionKey is an unwrapped request key.
type sessionKey struct {
	algorithm string
	key, iv   []byte
}

func decryptError() *cloudError {
	return errCode(CodeDecryptSystemError, "解密失败")
}

// openEncryption reads a request's Encryption object and decrypts, in place, the listed fields
// among those the action encrypts. raw null or absent: nil, nil.
func (s *Server) openEncryption(action string, raw json.RawMessage, fields map[string]*string) (*sessionKey, *cloudError) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var p encryptionParams
	if e := decodeParams(raw, &p); e != nil {
		return nil, e
	}
	if p.Algorithm == "" {
		p.Algorithm = AlgorithmAES256CBC // the documented default
	}
	if p.Algorithm != AlgorithmAES256CBC && p.Algorithm != AlgorithmSM4GCM {
		return nil, errCode("InvalidParameter", "Encryption.Algorithm 取值错误")
	}
	if p.CiphertextBlob == "" || p.Iv == "" || p.EncryptList == nil {
		return nil, errCode("InvalidParameter", "Encryption 缺少 EncryptList、CiphertextBlob 或 Iv")
	}
	k, e := s.unwrapKey(p)
	if e != nil {
		return nil, e
	}
	rec := EncryptedRequest{Action: action, Algorithm: p.Algorithm, EncryptList: slices.Clone(p.EncryptList),
		Wire: map[string]string{}, Plain: map[string]string{}, Key: slices.Clone(k.key), IV: slices.Clone(k.iv)}
	for i, name := range p.EncryptList {
		if name == encryptBodyMarker && fields == nil {
			continue // a whole-body answer is asked for: nothing to decrypt here
		}
		v, ok := fields[name]
		if !ok {
			return nil, errCode(CodeUnsupportEncryptField, "存在不支持加密的字段："+safeText(name))
		}
		if *v == "" {
			return nil, errCode("InvalidParameter", safeText(name)+" 在 EncryptList 中但为空")
		}
		tag := ""
		if k.algorithm == AlgorithmSM4GCM {
			if i >= len(p.TagList) {
				return nil, decryptError()
			}
			tag = p.TagList[i]
		}
		plain, ok := k.decrypt(*v, tag)
		if !ok {
			return nil, decryptError()
		}
		rec.Wire[name], rec.Plain[name] = *v, string(plain)
		*v = string(plain)
	}
	cs := s.crypt()
	cs.mu.Lock()
	cs.seen = append(cs.seen, rec)
	if len(cs.seen) > maxEncryptedRequestsRecord {
		cs.seen = cs.seen[1:]
	}
	cs.mu.Unlock()
	return k, nil
}

// unwrapKey recovers the request's symmetric key with the fake's private key.
func (s *Server) unwrapKey(p encryptionParams) (*sessionKey, *cloudError) {
	blob, err := base64.StdEncoding.DecodeString(p.CiphertextBlob)
	if err != nil {
		return nil, decryptError()
	}
	iv, err := base64.StdEncoding.DecodeString(p.Iv)
	if err != nil {
		return nil, decryptError()
	}
	cs := s.crypt()
	k := &sessionKey{algorithm: p.Algorithm, iv: iv}
	if p.Algorithm == AlgorithmAES256CBC {
		k.key, err = rsa.DecryptPKCS1v15(nil, cs.rsaKey, blob) //nolint:staticcheck // the service's scheme
		if err != nil || len(k.key) != 32 || len(iv) != aes.BlockSize {
			return nil, decryptError()
		}
		return k, nil
	}
	k.key, err = cs.sm2Key.Decrypt(nil, blob, sm2.NewPlainDecrypterOpts(sm2.C1C3C2))
	if err != nil || len(k.key) != sm4.BlockSize || len(iv) != 12 {
		return nil, decryptError()
	}
	return k, nil
}

// gcm is SM4-GCM under the session key.
func (k *sessionKey) gcm() cipher.AEAD {
	b, err := sm4.NewCipher(k.key)
	if err != nil {
		panic("kyctest: SM4 key of the wrong size")
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		panic("kyctest: GCM over SM4 failed")
	}
	return g
}

// decrypt opens one base64 value (and its base64 tag for SM4-GCM) under the request's IV.
func (k *sessionKey) decrypt(b64, tag string) ([]byte, bool) {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, false
	}
	if k.algorithm == AlgorithmSM4GCM {
		t, err := base64.StdEncoding.DecodeString(tag)
		if err != nil || len(t) != 16 {
			return nil, false
		}
		plain, err := k.gcm().Open(nil, k.iv, append(ct, t...), nil)
		return plain, err == nil
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, false
	}
	b, _ := aes.NewCipher(k.key)
	out := make([]byte, len(ct))
	cipher.NewCBCDecrypter(b, k.iv).CryptBlocks(out, ct)
	plain, err := padding.NewPKCS7Padding(aes.BlockSize).Unpad(out)
	return plain, err == nil
}

// encrypt seals a value under the session key with iv: base64 ciphertext and base64 tag.
func (k *sessionKey) encrypt(plain, iv []byte) (string, string) {
	if k.algorithm == AlgorithmSM4GCM {
		g := k.gcm()
		out := g.Seal(nil, iv, plain, nil)
		n := len(out) - g.Overhead()
		return base64.StdEncoding.EncodeToString(out[:n]), base64.StdEncoding.EncodeToString(out[n:])
	}
	b, _ := aes.NewCipher(k.key)
	buf := padding.NewPKCS7Padding(aes.BlockSize).Pad(plain)
	cipher.NewCBCEncrypter(b, iv).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf), ""
}

// freshIV is a new IV for an answer: the fake never reuses the request's, so a client that
// reads the answer's Encryption.Iv (as it must) is told apart from one that does not.
func (k *sessionKey) freshIV() []byte {
	n := aes.BlockSize
	if k.algorithm == AlgorithmSM4GCM {
		n = 12
	}
	iv := make([]byte, n)
	rand.Read(iv)
	return iv
}

// encryptAnswer encrypts GetDetectInfoEnhanced's answer under k: the whole of it into
// EncryptedBody (whole), or Text's IdCard, Name, OcrIdCard and OcrName in place. It sets the
// answer's Encryption object.
func (k *sessionKey) encryptAnswer(out object, whole bool) object {
	iv := k.freshIV()
	enc := object{{"Algorithm", k.algorithm}, {"CiphertextBlob", nil}, {"Iv", base64.StdEncoding.EncodeToString(iv)}}
	if whole {
		plain, err := json.Marshal(out)
		if err != nil {
			panic("kyctest: answer does not marshal")
		}
		ct, tag := k.encrypt(plain, iv)
		tags := []string{}
		if tag != "" {
			tags = append(tags, tag)
		}
		enc = append(enc, field{"EncryptList", []string{encryptBodyMarker}}, field{"TagList", tags})
		// Every member but the envelope's is null in an encrypted answer.
		masked := make(object, 0, len(out))
		for _, f := range out {
			switch f.key {
			case "Encryption":
				masked = append(masked, field{"Encryption", enc})
			case "EncryptedBody":
				masked = append(masked, field{"EncryptedBody", ct})
			case "IsVerifyIntention":
				masked = append(masked, f)
			default:
				masked = append(masked, field{f.key, nil})
			}
		}
		return masked
	}
	list, tags := []string{}, []string{}
	for i, f := range out {
		text, ok := f.val.(object)
		if f.key != "Text" || !ok {
			continue
		}
		text = slices.Clone(text)
		for j, tf := range text {
			s, ok := tf.val.(string)
			if !ok || s == "" || !slices.Contains([]string{"IdCard", "Name", "OcrIdCard", "OcrName"}, tf.key) {
				continue
			}
			ct, tag := k.encrypt([]byte(s), iv)
			text[j].val = ct
			// The model names them by path (Response.Text.IdCard); the client reads either form.
			list = append(list, "Response.Text."+tf.key)
			if tag != "" {
				tags = append(tags, tag)
			}
		}
		out[i].val = text
	}
	enc = append(enc, field{"EncryptList", list}, field{"TagList", tags})
	for i, f := range out {
		if f.key == "Encryption" {
			out[i].val = enc
		}
	}
	return out
}

// responseEncryption reads GetDetectInfoEnhanced's Encryption and IsEncryptResponse: the key to
// answer with (nil: in clear) and whether the whole body is asked for.
func (s *Server) responseEncryption(raw json.RawMessage, isEncryptResponse *bool) (*sessionKey, bool, *cloudError) {
	whole := isEncryptResponse != nil && *isEncryptResponse
	k, e := s.openEncryption("GetDetectInfoEnhanced", raw, nil)
	if e != nil {
		return nil, false, e
	}
	if whole && k == nil {
		return nil, false, errCode("InvalidParameter", "IsEncryptResponse 需要 Encryption")
	}
	return k, whole, nil
}

// identityFields are the fields DetectAuth and GetEidToken may encrypt.
func identityFields(name, idCard *string) map[string]*string {
	return map[string]*string{"Name": name, "IdCard": idCard}
}
