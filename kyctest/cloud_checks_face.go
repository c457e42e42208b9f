package kyctest

import (
	"encoding/base64"
	"encoding/json"
	"unicode/utf8"
)

// The face checks: DetectAIFakeFaces, LivenessRecognition, LivenessCompare, ImageRecognition and
// ImageRecognitionV2, answered as the service does (parameters and routing in cloud_checks.go).

func (s *Server) detectAIFakeFaces(p *chkFakeFaces) (object, *cloudError) {
	if e := p.Encryption.check(); e != nil {
		return nil, e
	}
	var raw []byte
	if p.EncryptedBody == "" {
		if p.FaceInput == "" {
			return nil, chkMissing("FaceInput")
		}
		if p.FaceInputType == nil {
			return nil, chkMissing("FaceInputType")
		}
		code := chkImageDecodeFailed
		switch *p.FaceInputType {
		case 1:
		case 2:
			code = chkVideoDecodeFailed
		default:
			return nil, errCode("InvalidParameter", "FaceInputType 取值错误")
		}
		var e *cloudError
		if raw, e = chkMedia("FaceInput", p.FaceInput, maxCheckFakeFaces, code); e != nil {
			return nil, e
		}
	}
	f := s.facts("DetectAIFakeFaces", chkInput{media: [][]byte{raw}})
	level := "Low"
	switch {
	case f.forced != "":
		level = f.forced
	case f.fake:
		level = "High"
	}
	if level == "Low" {
		return object{{"AttackRiskLevel", level}, {"AttackRiskDetailList", []any{}}}, nil
	}
	return object{{"AttackRiskLevel", level},
		{"AttackRiskDetailList", []any{object{{"Type", "SuspectedSpoofingAttack"}}}},
		{"ExtraInfo", object{{"RetrievalLivenessExtraInfo", []any{object{
			{"HitGroup", "Common"}, {"SimilarityScore", 0.31}, {"HitTemplate", "kyctest-template-1"}}}}}},
	}, nil
}

// livenessTypes are the modes of LivenessRecognition and LivenessCompare.
func chkLivenessType(v string) *cloudError {
	switch v {
	case "":
		return chkMissing("LivenessType")
	case "LIP", "ACTION", "SILENT":
		return nil
	}
	return errCode("InvalidParameterValue", "LivenessType 取值错误")
}

// chkBestFrames reads Optional's BestFrameNum (2-10); 0 when not asked.
func chkBestFrames(optional string) (int, *cloudError) {
	if optional == "" {
		return 0, nil
	}
	var o struct {
		BestFrameNum *int `json:"BestFrameNum"`
	}
	if json.Unmarshal([]byte(optional), &o) != nil {
		return 0, errCode("InvalidParameterValue", "Optional 须为 JSON 字符串")
	}
	if o.BestFrameNum == nil {
		return 0, nil
	}
	if n := *o.BestFrameNum; n < 2 || n > 10 {
		return 0, errCode("InvalidParameterValue", "BestFrameNum 取值范围 2-10")
	}
	return *o.BestFrameNum, nil
}

// chkVideoAndFrames decodes a liveness video and reads Optional's BestFrameNum.
func chkVideoAndFrames(b64, optional string) ([]byte, int, *cloudError) {
	video, e := chkMedia("VideoBase64", b64, maxCheckVideo, chkVideoDecodeFailed)
	if e != nil {
		return nil, 0, e
	}
	n, e := chkBestFrames(optional)
	return video, n, e
}

// chkFaceAnswer is the Sim/Result/Description answer of a comparison; frames > 0 adds BestFrameList,
// best the BestFrameBase64 of a pass.
func chkFaceAnswer(result string, frames int, best bool) object {
	sim := 0.0
	switch result {
	case "Success":
		sim = checkSamePersonSim
	case "FailedOperation.CompareLowSimilarity":
		sim = 35.5
	}
	var frame, list any
	if result == "Success" && best {
		frame = base64.StdEncoding.EncodeToString(fakePhoto("liveness", 0, 512))
		if frames > 0 {
			l := make([]string, frames)
			for i := range l {
				l[i] = base64.StdEncoding.EncodeToString(fakePhoto("liveness", i+1, 512))
			}
			list = l
		}
	}
	out := object{}
	if best {
		out = append(out, field{"BestFrameBase64", frame})
	}
	out = append(out, field{"Sim", sim}, field{"Result", result}, field{"Description", textOf(chkDescriptions, result)})
	if best {
		out = append(out, field{"BestFrameList", list})
	}
	return out
}

// chkFaceResult picks the Result of a face check from the outcomes: forced, then a fake face, then
// an identity mismatch.
func chkFaceResult(f chkFacts, fake string) string {
	switch {
	case f.forced != "":
		return f.forced
	case f.fake:
		return fake
	case f.identity:
		return "FailedOperation.IdNameMisMatch"
	}
	return "Success"
}

func (s *Server) livenessRecognition(p *chkLiveness) (object, *cloudError) {
	if e := chkRequired("IdCard", p.IdCard, "Name", p.Name); e != nil {
		return nil, e
	}
	if e := chkFirst(chkLivenessType(p.LivenessType), p.Encryption.check(), chkOneOf("VideoBase64", p.VideoBase64, "VideoUrl", p.VideoUrl)); e != nil {
		return nil, e
	}
	video, n, e := chkVideoAndFrames(p.VideoBase64, p.Optional)
	if e != nil {
		return nil, e
	}
	f := s.facts("LivenessRecognition", chkInput{name: p.Name, idCard: p.IdCard, media: [][]byte{video}})
	return chkFaceAnswer(chkFaceResult(f, "FailedOperation.LifePhotoDetectFake"), n, true), nil
}

func (s *Server) livenessCompare(p *chkLivenessCompare) (object, *cloudError) {
	if e := chkFirst(chkLivenessType(p.LivenessType), chkOneOf("ImageBase64", p.ImageBase64, "ImageUrl", p.ImageUrl),
		chkOneOf("VideoBase64", p.VideoBase64, "VideoUrl", p.VideoUrl)); e != nil {
		return nil, e
	}
	photo, e := chkMedia("ImageBase64", p.ImageBase64, maxCheckPhoto, chkImageDecodeFailed)
	if e != nil {
		return nil, e
	}
	video, n, e := chkVideoAndFrames(p.VideoBase64, p.Optional)
	if e != nil {
		return nil, e
	}
	f := s.facts("LivenessCompare", chkInput{media: [][]byte{video}})
	if f.forced == "" && !f.fake && s.facts("", chkInput{media: [][]byte{photo}}).fake {
		f.forced = "FailedOperation.CompareLowSimilarity"
	}
	return chkFaceAnswer(chkFaceResult(f, "FailedOperation.LifePhotoDetectFake"), n, true), nil
}

func (s *Server) imageRecognition(action string, p *chkImageRecognition, extra any) (object, *cloudError) {
	if e := chkRequired("IdCard", p.IdCard, "Name", p.Name, "ImageBase64", p.ImageBase64); e != nil {
		return nil, e
	}
	if e := p.Encryption.check(); e != nil {
		return nil, e
	}
	photo, e := chkMedia("ImageBase64", p.ImageBase64, maxCheckPhoto, chkImageDecodeFailed)
	if e != nil {
		return nil, e
	}
	f := s.facts(action, chkInput{name: p.Name, idCard: p.IdCard, media: [][]byte{photo}})
	out := chkFaceAnswer(chkFaceResult(f, "FailedOperation.LifePhotoDetectFake"), 0, false)
	if extra != nil {
		out = append(out, field{"Extra", extra})
	}
	return out, nil
}

func (s *Server) imageRecognitionV2(p *chkImageRecognitionV2) (object, *cloudError) {
	if n := utf8.RuneCountInString(p.Extra); n > 10 {
		return nil, errCode("InvalidParameterValue", "Extra 长度为 1-10")
	}
	return s.imageRecognition("ImageRecognitionV2", &p.chkImageRecognition, p.Extra)
}
