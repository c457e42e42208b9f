package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

func TestMask(t *testing.T) {
	require.Equal(t, "测**户", mask("测试用户", false))
	require.Equal(t, "测试用户", mask("测试用户", true))
	require.Equal(t, "**", mask("张三", false))
	require.Equal(t, "KYC***********001", mask("KYCTEST0000000001", false))
	require.Equal(t, "", mask("", false))
}

func TestOCRCommand(t *testing.T) {
	srv, env := fakeEnv(t)
	order := "ocrcli0001"
	require.NoError(t, srv.CompleteIDCardOCR(order, kyctest.SampleIDCard()))
	dir := t.TempDir()
	code, stdout, stderr := invoke(t, env, "ocr", "--images", dir, order)
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "front 0, back 0")
	require.NotContains(t, stdout, kyctest.SampleIDCard().IDNo, "masked without --reveal")
	st, err := os.Stat(filepath.Join(dir, "front.jpg"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	code, stdout, _ = invoke(t, env, "ocr", "--reveal", "--json", order)
	require.Equal(t, exitOK, code)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	require.Equal(t, kyctest.SampleIDCard().IDNo, out["idNo"])

	bank := "bankcli0001"
	require.NoError(t, srv.CompleteBankCardOCR(bank, kyctest.SampleBankCard()))
	code, stdout, stderr = invoke(t, env, "ocr", "--bank", bank)
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "code 0")
	code, _, _ = invoke(t, env, "ocr")
	require.Equal(t, exitUsage, code)
}

func TestWillCommand(t *testing.T) {
	srv, env := fakeEnv(t)
	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
	require.NoError(t, err)
	for outcome, want := range map[kyctest.WillOutcome]int{kyctest.WillPass: exitOK, kyctest.WillWrongAnswer: exitNotPassed} {
		order := "willcli" + map[kyctest.WillOutcome]string{kyctest.WillPass: "1", kyctest.WillWrongAnswer: "2"}[outcome]
		_, err := c.Will.GetFaceID(context.Background(), kyc.WillFaceIDRequest{OrderNo: order, UserID: "u1", Name: demoName, IDNo: demoIDNo,
			Rounds: []kyc.WillRound{{Question: "是否本人办理？", Answers: []string{"是的"}}}})
		require.NoError(t, err)
		require.NoError(t, srv.CompleteWill(order, outcome))
		dir := t.TempDir()
		code, stdout, stderr := invoke(t, env, "will", "--files", dir, order)
		require.Equal(t, want, code, stdout+stderr)
		require.Contains(t, stdout, "), 1 round\n", "a one-round check is one round")
		_, stdout, _ = invoke(t, env, "will", order, "--json")
		var out struct{ Rounds int }
		require.NoError(t, json.Unmarshal([]byte(stdout), &out))
		require.Equal(t, 1, out.Rounds)
		if want == exitOK {
			_, err := os.Stat(filepath.Join(dir, "answer.wav"))
			require.NoError(t, err)
		}
	}
}

// A multi-round check counts its willTurnsData rounds.
func TestWillCommandRounds(t *testing.T) {
	srv, env := fakeEnv(t)
	c, err := kyc.New(srv.AppID, srv.Secret, srv.ClientOptions()...)
	require.NoError(t, err)
	rounds := []kyc.WillRound{{Question: "是否本人办理？", Answers: []string{"是的"}}, {Question: "是否知晓风险？", Answers: []string{"知晓"}},
		{Question: "是否同意？", Answers: []string{"同意"}}}
	_, err = c.Will.GetFaceID(context.Background(), kyc.WillFaceIDRequest{OrderNo: "willcli3", UserID: "u1", Name: demoName, IDNo: demoIDNo, Rounds: rounds})
	require.NoError(t, err)
	require.NoError(t, srv.CompleteWill("willcli3", kyctest.WillPass))
	code, stdout, stderr := invoke(t, env, "will", "willcli3")
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "), 3 rounds\n")
}

func TestNFCCommand(t *testing.T) {
	srv, env := fakeEnv(t)
	c, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithNFCKey(srv.NFCKey()))
	require.NoError(t, err)
	order := "nfccli0001"
	_, err = c.NFC.GetCertID(context.Background(), kyc.NFCCertIDRequest{OrderNo: order, UserID: "u1", CardType: kyc.NFCIDCard})
	require.NoError(t, err)
	reqID, err := srv.CompleteNFC(order, kyctest.SampleNFCCard())
	require.NoError(t, err)
	code, _, stderr := invoke(t, env, "nfc", order, reqID)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "KYC_NFC_KEY")
	env["KYC_NFC_KEY"] = srv.NFCKey()
	code, stdout, stderr := invoke(t, env, "nfc", order, reqID)
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "valid until")
	require.NotContains(t, stdout, kyctest.SampleNFCCard().IDNo)
	env["KYC_NFC_KEY"] = "00112233445566778899AABBCCDDEEFF"
	code, _, _ = invoke(t, env, "nfc", order, reqID)
	require.Equal(t, exitFailed, code, "a wrong key does not decrypt")
}
