package kyctest

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// The element checks: ID card, bank card and mobile number, answered as the service does
// (parameters and routing in cloud_checks.go).

// chkOCRConfig reads a Config string: a JSON object of boolean warning switches.
func chkOCRConfig(config string) *cloudError {
	if config == "" {
		return nil
	}
	var c map[string]bool
	if json.Unmarshal([]byte(config), &c) != nil {
		return errCode("InvalidParameterValue", "Config 须为 JSON 对象字符串，取值为布尔值")
	}
	for k := range c {
		switch k {
		case "CopyWarn", "BorderCheckWarn", "ReshootWarn", "DetectPsWarn", "TempIdWarn", "Quality":
		default:
			return errCode("InvalidParameterValue", "Config 含未知开关")
		}
	}
	return nil
}

func (s *Server) checkIdCardInformation(p *chkIdCardInformation) (object, *cloudError) {
	if e := chkFirst(chkOneOf("ImageBase64", p.ImageBase64, "ImageUrl", p.ImageUrl), chkOCRConfig(p.Config), p.Encryption.check()); e != nil {
		return nil, e
	}
	if wants := (p.IsEncrypt != nil && *p.IsEncrypt) || (p.IsEncryptResponse != nil && *p.IsEncryptResponse); wants {
		// The service needs the Encryption parameters to encrypt the answer; this fake cannot
		// encrypt one at all, and says so rather than answer in plain text.
		if p.Encryption == nil {
			return nil, errCode("InvalidParameter", "IsEncrypt / IsEncryptResponse 须传入 Encryption")
		}
		return nil, errCode("FailedOperation.EncryptSystemError", "kyctest does not encrypt CheckIdCardInformation answers")
	}
	photo, e := chkMedia("ImageBase64", p.ImageBase64, maxCheckCardImage, chkImageDecodeFailed)
	if e != nil {
		return nil, e
	}
	f := s.facts("CheckIdCardInformation", chkInput{media: [][]byte{photo}})
	result := chkFaceResult(f, "FailedOperation.CompareLowSimilarity")
	card := SampleIDCard()
	out := chkFaceAnswer(result, 0, false)
	return append(out, field{"Name", card.Name}, field{"Sex", card.Sex}, field{"Nation", card.Nation},
		field{"Birth", chkSlashDate(card.Birth)}, field{"Address", card.Address}, field{"IdNum", card.IDNo},
		field{"Portrait", base64.StdEncoding.EncodeToString(fakePhoto("portrait", 0, 256))}, field{"Warnings", ""},
		field{"Quality", 88.0}, field{"Encryption", nil}), nil
}

// chkSlashDate writes 19900101 as 1990/01/01, the form of CheckIdCardInformation's Birth.
func chkSlashDate(d string) string {
	if len(d) != 8 {
		return d
	}
	return d[:4] + "/" + d[4:6] + "/" + d[6:]
}

// chkElement answers Result and Description: forced, else the first failing rule's code, else
// pass. rules are pairs of (condition, code).
func chkElement(f chkFacts, pass string, rules ...any) object {
	result := pass
	if f.forced != "" {
		result = f.forced
	} else {
		for i := 0; i+1 < len(rules); i += 2 {
			if rules[i].(bool) {
				result = rules[i+1].(string)
				break
			}
		}
	}
	return object{{"Result", result}, {"Description", textOf(chkDescriptions, result)}}
}

// Formats the fake checks when a field is sent in plain text. The ID numbers of the tests are
// invented (letters allowed), so the ID check is about the characters, not the check digit.
func chkBadID(enc *chkEncryption, id string) bool {
	return !enc.encrypted("IdCard") && (len(id) > 32 || strings.Trim(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "")
}

func chkBadName(enc *chkEncryption, name string) bool {
	return !enc.encrypted("Name") && utf8.RuneCountInString(name) > 32
}

func chkBadCard(enc *chkEncryption, card string) bool {
	return !enc.encrypted("BankCard") && !chkDigits(card, 12, 19)
}

func chkBadPhone(enc *chkEncryption, field, phone string) bool {
	return !enc.encrypted(field) && (!chkDigits(phone, 11, 11) || phone[0] != '1')
}

func chkDigits(s string, minLen, maxLen int) bool {
	return len(s) >= minLen && len(s) <= maxLen && strings.Trim(s, "0123456789") == ""
}

func (s *Server) idCardVerification(p *chkIdName) (object, *cloudError) {
	if e := chkFirst(chkRequired("IdCard", p.IdCard, "Name", p.Name), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("IdCardVerification", chkInput{name: p.Name, idCard: p.IdCard})
	return chkElement(f, "0", chkBadID(p.Encryption, p.IdCard), "-2", chkBadName(p.Encryption, p.Name), "-3", f.identity, "-1"), nil
}

func (s *Server) idCardOCRVerification(p *chkIdCardOCR) (object, *cloudError) {
	byText := p.Name != "" && p.IdCard != ""
	if !byText {
		if e := chkOneOf("ImageBase64", p.ImageBase64, "ImageUrl", p.ImageUrl); e != nil {
			return nil, errCode("InvalidParameter", "须传入 Name 和 IdCard，或 ImageBase64，或 ImageUrl")
		}
	}
	if e := chkFirst(chkOCRConfig(p.Config), p.Encryption.check()); e != nil {
		return nil, e
	}
	if _, e := chkMedia("ImageBase64", p.ImageBase64, maxCheckPhoto, chkImageDecodeFailed); e != nil {
		return nil, e
	}
	name, id := p.Name, p.IdCard
	var sex, nation, birth, address, portrait any
	if !byText {
		card := SampleIDCard()
		name, id, sex, nation, birth, address = card.Name, card.IDNo, card.Sex, card.Nation, card.Birth, card.Address
		portrait = base64.StdEncoding.EncodeToString(fakePhoto("portrait", 0, 256))
	}
	f := s.facts("IdCardOCRVerification", chkInput{name: name, idCard: id})
	out := chkElement(f, "0", byText && chkBadID(p.Encryption, id), "-2", byText && chkBadName(p.Encryption, name), "-3", f.identity, "-1")
	out = append(out, field{"Name", name}, field{"IdCard", id}, field{"Sex", sex}, field{"Nation", nation},
		field{"Birth", birth}, field{"Address", address})
	if portrait != nil {
		out = append(out, field{"Portrait", portrait}, field{"Warnings", ""}, field{"Quality", 90.0})
	}
	return out, nil
}

func (s *Server) checkIdNameDate(p *chkIdNameDate) (object, *cloudError) {
	if e := chkFirst(chkRequired("Name", p.Name, "IdCard", p.IdCard, "ValidityBegin", p.ValidityBegin, "ValidityEnd", p.ValidityEnd),
		p.Encryption.check()); e != nil {
		return nil, e
	}
	badDates := !chkDigits(p.ValidityBegin, 8, 8) || !chkDigits(p.ValidityEnd, 8, 8) ||
		(p.ValidityEnd != "00000000" && p.ValidityEnd <= p.ValidityBegin)
	f := s.facts("CheckIdNameDate", chkInput{name: p.Name, idCard: p.IdCard})
	return chkElement(f, "0", chkBadID(p.Encryption, p.IdCard), "-2", chkBadName(p.Encryption, p.Name), "-3",
		badDates, "-4", f.identity, "-1"), nil
}

func (s *Server) checkBankCardInformation(p *chkBankCardInfo) (object, *cloudError) {
	if e := chkFirst(chkRequired("BankCard", p.BankCard), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("CheckBankCardInformation", chkInput{card: p.BankCard})
	out := chkElement(f, "0", chkBadCard(p.Encryption, p.BankCard), "-5")
	bank, kind := "", int64(0)
	if out[0].val == "0" {
		bank, kind = "测试银行", 1
	}
	return append(out, field{"AccountBank", bank}, field{"AccountType", kind}), nil
}

func (s *Server) bankCard2E(p *chkBankCard2E) (object, *cloudError) {
	if e := chkFirst(chkRequired("Name", p.Name, "BankCard", p.BankCard), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("BankCard2EVerification", chkInput{name: p.Name, card: p.BankCard})
	return chkElement(f, "0", chkBadName(p.Encryption, p.Name), "-2", chkBadCard(p.Encryption, p.BankCard), "-3", f.card, "-1"), nil
}

// chkCertTypeOK: only 0, the PRC ID card, is supported.
func chkCertTypeOK(t *int64) bool { return t == nil || *t == 0 }

func (s *Server) bankCard3E(p *chkBankCard3E) (object, *cloudError) {
	if e := chkFirst(chkRequired("IdCard", p.IdCard, "Name", p.Name, "BankCard", p.BankCard), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("BankCardVerification", chkInput{name: p.Name, idCard: p.IdCard, card: p.BankCard})
	return chkElement(f, "0", !chkCertTypeOK(p.CertType), "-19", chkBadName(p.Encryption, p.Name), "-2",
		chkBadID(p.Encryption, p.IdCard), "-3", chkBadCard(p.Encryption, p.BankCard), "-4", f.card || f.identity, "-1"), nil
}

func (s *Server) bankCard4E(p *chkBankCard4E) (object, *cloudError) {
	if e := chkFirst(chkRequired("Name", p.Name, "BankCard", p.BankCard, "Phone", p.Phone, "IdCard", p.IdCard), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("BankCard4EVerification", chkInput{name: p.Name, idCard: p.IdCard, card: p.BankCard, phone: p.Phone})
	return chkElement(f, "0", !chkCertTypeOK(p.CertType), "-20", chkBadName(p.Encryption, p.Name), "-2",
		chkBadID(p.Encryption, p.IdCard), "-3", chkBadCard(p.Encryption, p.BankCard), "-4", chkBadPhone(p.Encryption, "Phone", p.Phone), "-5",
		f.card || f.identity || f.phone, "-1"), nil
}

func (s *Server) mobileNetworkTime(p *chkMobile) (object, *cloudError) {
	if e := chkFirst(chkRequired("Mobile", p.Mobile), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("MobileNetworkTimeVerification", chkInput{phone: p.Mobile})
	out := chkElement(f, "0", chkBadPhone(p.Encryption, "Mobile", p.Mobile), "-1", !f.status.inService(), "-2")
	rng := ""
	if out[0].val == "0" {
		rng = "[24,+)"
	}
	return append(out, field{"Range", rng}), nil
}

func (s *Server) mobileStatus(p *chkMobile) (object, *cloudError) {
	if e := chkFirst(chkRequired("Mobile", p.Mobile), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("MobileStatus", chkInput{phone: p.Mobile})
	out := chkElement(f, "0", chkBadPhone(p.Encryption, "Mobile", p.Mobile), "-2")
	status := PhoneStatus(99)
	if out[0].val == "0" {
		status = f.status
	}
	return append(out, field{"StatusCode", int64(status)}), nil
}

// chkISP names the carrier of a mobile number by its prefix, as the carrier checks answer it; ""
// for a prefix this fake does not place (an encrypted number included).
func chkISP(phone string) string {
	if len(phone) < 3 {
		return ""
	}
	switch phone[:3] {
	case "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
		"178", "182", "183", "184", "187", "188", "195", "197", "198":
		return "移动"
	case "130", "131", "132", "145", "155", "156", "166", "175", "176", "185", "186", "196":
		return "联通"
	case "133", "149", "153", "173", "177", "180", "181", "189", "190", "191", "193", "199":
		return "电信"
	}
	return ""
}

// chkCarrierResult is the Result of a three-element carrier check, and the mismatch detail.
func chkCarrierResult(enc *chkEncryption, f chkFacts, name, id, phone, carrier string) (object, string) {
	wrongCarrier := carrier != "" && !enc.encrypted("Phone") && chkISP(phone) != carrier
	out := chkElement(f, "0", chkBadPhone(enc, "Phone", phone), "-6", chkBadID(enc, id), "-7", chkBadName(enc, name), "-8",
		wrongCarrier, "-13", !f.status.inService(), "-9", f.phone || f.identity, "-4")
	detail := ""
	if out[0].val == "-4" {
		detail = "NameIdCardMismatch"
		if f.phone {
			detail = "PhoneNameIdCardMismatch"
		}
	}
	return out, detail
}

func (s *Server) phoneVerification(p *chkPhoneVerification) (object, *cloudError) {
	if e := chkRequired("IdCard", p.IdCard, "Name", p.Name, "Phone", p.Phone); e != nil {
		return nil, e
	}
	switch p.VerifyMode {
	case "", "0", "1":
	default:
		return nil, errCode("InvalidParameterValue", "VerifyMode 取值错误")
	}
	var enc *chkEncryption
	if p.CiphertextBlob != "" || len(p.EncryptList) > 0 || p.Iv != "" {
		enc = &chkEncryption{EncryptList: p.EncryptList, CiphertextBlob: p.CiphertextBlob, Iv: p.Iv}
		if e := enc.check(); e != nil {
			return nil, e
		}
	}
	f := s.facts("PhoneVerification", chkInput{name: p.Name, idCard: p.IdCard, phone: p.Phone})
	out, detail := chkCarrierResult(enc, f, p.Name, p.IdCard, p.Phone, "")
	out = append(out, field{"Isp", chkISP(p.Phone)})
	if detail != "" && p.VerifyMode == "1" {
		out = append(out, field{"ResultDetail", detail})
	}
	return out, nil
}

// chkCarrier answers PhoneVerificationCMCC / CTCC / CUCC: a number of another carrier is
// outside the range ("-13").
func chkCarrier(s *Server, action, carrier string) func(p *chkPhoneCarrier) (object, *cloudError) {
	return func(p *chkPhoneCarrier) (object, *cloudError) {
		if e := chkFirst(chkRequired("IdCard", p.IdCard, "Name", p.Name, "Phone", p.Phone), p.Encryption.check()); e != nil {
			return nil, e
		}
		f := s.facts(action, chkInput{name: p.Name, idCard: p.IdCard, phone: p.Phone})
		out, _ := chkCarrierResult(p.Encryption, f, p.Name, p.IdCard, p.Phone, carrier)
		return object{out[0], {"Isp", chkISP(p.Phone)}, out[1]}, nil
	}
}

func (s *Server) checkPhoneAndName(p *chkPhoneName) (object, *cloudError) {
	if e := chkFirst(chkRequired("Mobile", p.Mobile, "Name", p.Name), p.Encryption.check()); e != nil {
		return nil, e
	}
	f := s.facts("CheckPhoneAndName", chkInput{name: p.Name, phone: p.Mobile})
	return chkElement(f, "0", chkBadName(p.Encryption, p.Name), "-4", chkBadPhone(p.Encryption, "Mobile", p.Mobile), "-5",
		!f.status.inService(), "-1", f.phone, "1"), nil
}
