package checks

import "context"

// One method per action; each checks its request (a *kyc.InputError, nothing sent), sends it
// through kyc.Client.CallCloud and decodes the typed answer. Every action is billed per call, so
// none is resent once it may have reached the service.

// Verify runs IdCardVerification: do the name and ID number exist and belong together? Passed
// on "0"; "-1" they do not match (charged). https://cloud.tencent.com/document/product/1007/33188
func (s *IDCardService) Verify(ctx context.Context, req IDCardVerificationRequest) (*CheckResult, error) {
	return call[CheckResult](ctx, (*service)(s), "IdCardVerification", req)
}

// VerifyOCR runs IdCardOCRVerification: a name and ID number, given or read from a photo of the
// card's portrait side, checked together. https://cloud.tencent.com/document/product/1007/37980
func (s *IDCardService) VerifyOCR(ctx context.Context, req IDCardOCRRequest) (*IDCardOCRResult, error) {
	return call[IDCardOCRResult](ctx, (*service)(s), "IdCardOCRVerification", req)
}

// VerifyValidity runs CheckIdNameDate: name, ID number and the card's validity period together.
// https://cloud.tencent.com/document/product/1007/60075
func (s *IDCardService) VerifyValidity(ctx context.Context, req IDCardValidityRequest) (*CheckResult, error) {
	return call[CheckResult](ctx, (*service)(s), "CheckIdNameDate", req)
}

// CheckCard runs CheckIdCardInformation: reads the portrait side of an ID card and compares
// its portrait with the authoritative photo (is the card genuine?).
func (s *IDCardService) CheckCard(ctx context.Context, req IDCardInformationRequest) (*IDCardInformationResult, error) {
	return call[IDCardInformationResult](ctx, (*service)(s), "CheckIdCardInformation", req)
}

// Information runs CheckBankCardInformation: the issuing bank and type of a card number.
// https://cloud.tencent.com/document/product/1007/47837
func (s *BankCardService) Information(ctx context.Context, req BankCardInformationRequest) (*BankCardInformationResult, error) {
	return call[BankCardInformationResult](ctx, (*service)(s), "CheckBankCardInformation", req)
}

// Verify2E runs BankCard2EVerification: name and card number.
// https://cloud.tencent.com/document/product/1007/35776
func (s *BankCardService) Verify2E(ctx context.Context, req BankCard2ERequest) (*CheckResult, error) {
	return call[CheckResult](ctx, (*service)(s), "BankCard2EVerification", req)
}

// Verify3E runs BankCardVerification: name, card number and account-opening document number.
// https://cloud.tencent.com/document/product/1007/33848
func (s *BankCardService) Verify3E(ctx context.Context, req BankCard3ERequest) (*CheckResult, error) {
	return call[CheckResult](ctx, (*service)(s), "BankCardVerification", req)
}

// Verify4E runs BankCard4EVerification: name, card number, document number and registered phone.
// https://cloud.tencent.com/document/product/1007/35775
func (s *BankCardService) Verify4E(ctx context.Context, req BankCard4ERequest) (*CheckResult, error) {
	return call[CheckResult](ctx, (*service)(s), "BankCard4EVerification", req)
}

// NetworkTime runs MobileNetworkTimeVerification: how long the number has been on the network.
// https://cloud.tencent.com/document/product/1007/40546
func (s *PhoneService) NetworkTime(ctx context.Context, req MobileRequest) (*NetworkTimeResult, error) {
	return call[NetworkTimeResult](ctx, (*service)(s), "MobileNetworkTimeVerification", req)
}

// Status runs MobileStatus: is the number normal, suspended, cancelled...?
// https://cloud.tencent.com/document/product/1007/40545
func (s *PhoneService) Status(ctx context.Context, req MobileRequest) (*MobileStatusResult, error) {
	return call[MobileStatusResult](ctx, (*service)(s), "MobileStatus", req)
}

// Verify runs PhoneVerification: phone, name and ID number with any carrier ("0" match, "-4"
// mismatch, both charged). https://cloud.tencent.com/document/product/1007/39765
func (s *PhoneService) Verify(ctx context.Context, req PhoneVerificationRequest) (*PhoneVerificationResult, error) {
	return call[PhoneVerificationResult](ctx, (*service)(s), "PhoneVerification", req)
}

// VerifyCMCC runs PhoneVerificationCMCC: the three elements for a China Mobile number.
// https://cloud.tencent.com/document/product/1007/68559
func (s *PhoneService) VerifyCMCC(ctx context.Context, req CarrierVerificationRequest) (*CarrierResult, error) {
	return call[CarrierResult](ctx, (*service)(s), "PhoneVerificationCMCC", req)
}

// VerifyCTCC runs PhoneVerificationCTCC: the three elements for a China Telecom number.
// https://cloud.tencent.com/document/product/1007/68558
func (s *PhoneService) VerifyCTCC(ctx context.Context, req CarrierVerificationRequest) (*CarrierResult, error) {
	return call[CarrierResult](ctx, (*service)(s), "PhoneVerificationCTCC", req)
}

// VerifyCUCC runs PhoneVerificationCUCC: the three elements for a China Unicom number.
// https://cloud.tencent.com/document/product/1007/68557
func (s *PhoneService) VerifyCUCC(ctx context.Context, req CarrierVerificationRequest) (*CarrierResult, error) {
	return call[CarrierResult](ctx, (*service)(s), "PhoneVerificationCUCC", req)
}

// VerifyName runs CheckPhoneAndName: does the number belong to this name ("0" yes, "1" no)?
// https://cloud.tencent.com/document/product/1007/50364
func (s *PhoneService) VerifyName(ctx context.Context, req PhoneNameRequest) (*CheckResult, error) {
	return call[CheckResult](ctx, (*service)(s), "CheckPhoneAndName", req)
}

// DetectFake runs DetectAIFakeFaces, the AI face shield: is a face image or video an attack
// (AIGC face swap, recapture, batch template, watermark)? Block AttackRiskLevel High.
func (s *FaceService) DetectFake(ctx context.Context, req FakeFacesRequest) (*FakeFacesResult, error) {
	return call[FakeFacesResult](ctx, (*service)(s), "DetectAIFakeFaces", req)
}

// LivenessWithID runs LivenessRecognition: a liveness video, then its face compared with the
// authoritative photo of the name and ID number.
func (s *FaceService) LivenessWithID(ctx context.Context, req LivenessRecognitionRequest) (*LivenessResult, error) {
	return call[LivenessResult](ctx, (*service)(s), "LivenessRecognition", req)
}

// LivenessWithPhoto runs LivenessCompare: a liveness video, then its face compared with a photo
// you supply.
func (s *FaceService) LivenessWithPhoto(ctx context.Context, req LivenessCompareRequest) (*LivenessResult, error) {
	return call[LivenessResult](ctx, (*service)(s), "LivenessCompare", req)
}

// PhotoWithID runs ImageRecognition: a photo compared with the authoritative photo of the name
// and ID number. Closed to new customers: use PhotoWithIDV2.
func (s *FaceService) PhotoWithID(ctx context.Context, req ImageRecognitionRequest) (*ImageRecognitionResult, error) {
	return call[ImageRecognitionResult](ctx, (*service)(s), "ImageRecognition", req)
}

// PhotoWithIDV2 runs ImageRecognitionV2, the current version of PhotoWithID.
func (s *FaceService) PhotoWithIDV2(ctx context.Context, req ImageRecognitionV2Request) (*ImageRecognitionV2Result, error) {
	return call[ImageRecognitionV2Result](ctx, (*service)(s), "ImageRecognitionV2", req)
}
