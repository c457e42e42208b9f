package kyc

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestVideoDataShapes: GetDetectInfoEnhanced's VideoData is an object (DetectInfoVideoData,
// docs/D-api3-actions.md §5 #2 and #20). Both of its members are read; a bare string is not the service's shape
// and is refused as a bad answer; a LivenessVideos item whose Video is a storage path rather
// than base64 (the documents disagree, docs/D-api3-actions.md §6) is kept as Path without failing the result.
func TestVideoDataShapes(t *testing.T) {
	ctx := context.Background()
	answer := func(videoData string) []byte {
		return []byte(`{"Response": {"Text": {"ErrCode": 0}, "VideoData": ` + videoData + `, "RequestId": "r-1"}}`)
	}
	get := func(videoData string) (*DetectInfo, error) {
		c, _ := newCloudFixtureClient(t, map[string][]byte{"GetDetectInfoEnhanced": answer(videoData)})
		return c.Detect.InfoEnhanced(ctx, DetectInfoRequest{BizToken: "T", RuleID: "1", AllVideos: true})
	}

	res, err := get(`{"LivenessVideo": "AAAAGGZ0eXA=", "LivenessVideos": [{"Seq": "s1", "Video": "AAAAGGZ0eXBpc29t"},
		{"Seq": "s2", "Video": "https://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/faceid/s2.mp4"}, {"Seq": "s3", "Video": null}]}`)
	require.NoError(t, err)
	require.True(t, res.Passed())
	require.Equal(t, Media{0, 0, 0, 0x18, 'f', 't', 'y', 'p'}, res.Video)
	require.Len(t, res.Videos, 3)
	require.Equal(t, "s1", res.Videos[0].Seq)
	require.Equal(t, Media("\x00\x00\x00\x18ftypisom"), res.Videos[0].Video)
	require.Empty(t, res.Videos[0].Path)
	require.Equal(t, "s2", res.Videos[1].Seq)
	require.Empty(t, res.Videos[1].Video)
	require.Equal(t, "https://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/faceid/s2.mp4", res.Videos[1].Path)
	require.Equal(t, VideoDetail{Seq: "s3"}, res.Videos[2])
	require.NotContains(t, res.String(), "cos.ap-guangzhou")
	require.NotContains(t, res.Videos[1].String(), "cos.ap-guangzhou")

	// Its own JSON, for a partner's store, reads back whole.
	saved, err := json.Marshal(res.Videos)
	require.NoError(t, err)
	var back []VideoDetail
	require.NoError(t, json.Unmarshal(saved, &back))
	require.Equal(t, res.Videos, back)

	res, err = get(`{"LivenessVideo": "AAAAGGZ0eXA="}`)
	require.NoError(t, err)
	require.Len(t, res.Video, 8)
	require.Empty(t, res.Videos)

	for _, absent := range []string{`null`, `{}`, `{"LivenessVideo": null, "LivenessVideos": null}`} {
		res, err = get(absent)
		require.NoError(t, err, absent)
		require.Empty(t, res.Video, absent)
		require.Empty(t, res.Videos, absent)
	}

	// The shape kyctest used to answer: a bare base64 string. Not the service's type.
	_, err = get(`"AAAAGGZ0eXA="`)
	require.ErrorIs(t, err, ErrBadResponse)
	require.NotContains(t, err.Error(), "AAAAGGZ0eXA=")
}

// TestAllVideosRequest: AllVideos sends IsReturnAllVideo, only when set; it needs PartVideo and
// the Enhanced action, else it is refused before any call.
func TestAllVideosRequest(t *testing.T) {
	ctx := context.Background()
	body := []byte(`{"Response": {"Text": null, "VideoData": null, "RequestId": "r-1"}}`)
	c, fs := newCloudFixtureClient(t, map[string][]byte{"GetDetectInfoEnhanced": body, "GetDetectInfo": body})
	sent := func() map[string]any {
		var m map[string]any
		require.NoError(t, json.Unmarshal(fs.bodies["GetDetectInfoEnhanced"], &m))
		return m
	}
	_, err := c.Detect.InfoEnhanced(ctx, DetectInfoRequest{BizToken: "T", RuleID: "1", Parts: PartText | PartVideo, AllVideos: true})
	require.NoError(t, err)
	require.Equal(t, map[string]any{"BizToken": "T", "RuleId": "1", "InfoType": "14", "IsReturnAllVideo": true}, sent())
	_, err = c.Detect.InfoEnhanced(ctx, DetectInfoRequest{BizToken: "T", RuleID: "1"})
	require.NoError(t, err)
	require.NotContains(t, sent(), "IsReturnAllVideo")

	_, err = c.Detect.InfoEnhanced(ctx, DetectInfoRequest{BizToken: "T", RuleID: "1", Parts: PartText, AllVideos: true})
	require.ErrorIs(t, err, ErrInvalidInput)
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "IsReturnAllVideo", ie.Field)
	_, err = c.Detect.Info(ctx, DetectInfoRequest{BizToken: "T", RuleID: "1", AllVideos: true})
	require.ErrorIs(t, err, ErrInvalidInput)
	require.Equal(t, 2, fs.calls["GetDetectInfoEnhanced"])
	require.Zero(t, fs.calls["GetDetectInfo"])
}
