package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/kyctest"
)

// mask shows the first and last characters of personal data: a lookup's output may end up in a
// terminal log. --reveal shows it whole.
func mask(s string, reveal bool) string {
	if reveal || s == "" {
		return s
	}
	n := utf8.RuneCountInString(s)
	if n <= 2 {
		return strings.Repeat("*", n)
	}
	r := []rune(s)
	keep := 1
	if n > 8 {
		keep = 3
	}
	return string(r[:keep]) + strings.Repeat("*", n-2*keep) + string(r[n-keep:])
}

// saveMedia writes media to dir/name with mode 0600; nothing when dir is empty or m is empty.
func saveMedia(dir, name string, m kyc.Media) (string, error) {
	if dir == "" || len(m) == 0 {
		return "", nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	p := filepath.Join(dir, name)
	return p, os.WriteFile(p, m, 0o600)
}

func init() {
	var bank, reveal *bool
	var images *string
	register(&command{
		name: "ocr", tickets: true, args: "ORDER", summary: "an ID-card or bank-card OCR result",
		help: `Asks for the OCR result of ORDER (getOcrResult, or getBankCardOcrResult with --bank). Personal data
is masked unless --reveal. --images DIR saves the card images (mode 0600). OCR may use its own
appId: set KYC_OCR_APP_ID and KYC_OCR_SECRET for it. Exit code 3 when recognition failed.`,
		flags: func(fs *flag.FlagSet) {
			bank = fs.Bool("bank", false, "a bank-card OCR order")
			reveal = fs.Bool("reveal", false, "show names and numbers unmasked")
			images = fs.String("images", "", "save the images into this directory")
		},
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet) error {
			var extra []kyc.Option
			if id := c.getenv("KYC_OCR_APP_ID"); id != "" {
				extra = append(extra, kyc.WithOCRCredentials(id, c.getenv("KYC_OCR_SECRET")))
			}
			cl, orderNo, err := c.orderClient(ctx, fs, extra...)
			if err != nil {
				return err
			}
			if *bank {
				res, err := cl.OCR.BankCardResult(ctx, kyc.BankCardQuery{OrderNo: orderNo, Images: *images != ""})
				if err != nil {
					return err
				}
				saved, err := saveMedia(*images, "bankcard.jpg", res.OriginPhoto)
				if err != nil {
					return err
				}
				c.emit(map[string]any{"ok": true, "orderNo": res.OrderNo, "code": res.Code, "cardNo": mask(res.CardNo, *reveal),
					"validDate": res.ValidDate, "warnings": len(res.Warnings()), "image": saved},
					fmt.Sprintf("order %s: code %s, card %s valid %s, %d warnings", res.OrderNo, res.Code, mask(res.CardNo, *reveal), res.ValidDate, len(res.Warnings())))
				if !res.Passed() {
					return errNotPassed
				}
				return nil
			}
			res, err := cl.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: orderNo, Images: *images != ""})
			if err != nil {
				return err
			}
			var files []string
			for name, m := range map[string]kyc.Media{"front.jpg": res.FrontPhoto, "back.jpg": res.BackPhoto, "portrait.jpg": res.HeadPhoto} {
				p, err := saveMedia(*images, name, m)
				if err != nil {
					return err
				}
				if p != "" {
					files = append(files, p)
				}
			}
			c.emit(map[string]any{"ok": true, "orderNo": res.OrderNo, "code": res.Code, "frontCode": res.FrontCode, "backCode": res.BackCode,
				"name": mask(res.Name, *reveal), "idNo": mask(res.IDNo, *reveal), "validDate": res.ValidDate, "images": files},
				fmt.Sprintf("order %s: front %s, back %s; %s, %s, valid %s", res.OrderNo, res.FrontCode, res.BackCode,
					mask(res.Name, *reveal), mask(res.IDNo, *reveal), res.ValidDate))
			if !res.FrontOK() && !res.BackOK() {
				return errNotPassed
			}
			return nil
		},
	})

	var files *string
	register(&command{
		name: "will", tickets: true, args: "ORDER", summary: "a will-verification result",
		help: `Asks for the will-verification result of ORDER (getWillFaceResult) and prints its code, the face
verdict, the spoken-answer verdict and the number of question-and-answer rounds (one for a
one-round check). --files DIR saves the photo and the will audio, answer.wav for one round or
answer-N.wav per round (mode 0600).
Exit code 3 when the verification did not pass.`,
		flags: func(fs *flag.FlagSet) { files = fs.String("files", "", "save the photo and audio into this directory") },
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet) error {
			cl, orderNo, err := c.orderClient(ctx, fs)
			if err != nil {
				return err
			}
			q := kyc.WillQuery{OrderNo: orderNo}
			if *files != "" {
				q.Face, q.Files = kyc.PhotoOnly, kyc.AllWillFiles
			}
			res, err := cl.Will.QueryResult(ctx, q)
			if err != nil {
				return err
			}
			if _, err := saveMedia(*files, "photo.jpg", res.Photo); err != nil {
				return err
			}
			if _, err := saveMedia(*files, "answer.wav", res.UserAudio); err != nil {
				return err
			}
			for i, turn := range res.Turns {
				if _, err := saveMedia(*files, fmt.Sprintf("answer-%d.wav", i+1), turn.UserAudio); err != nil {
					return err
				}
			}
			rounds := willRounds(res)
			c.emit(map[string]any{"ok": true, "orderNo": res.OrderNo, "passed": res.Passed(), "code": res.Code, "faceCode": res.FaceCode,
				"willCode": res.WillCode, "rounds": rounds},
				fmt.Sprintf("order %s: code %s (face %s, answer %s), %d round%s", res.OrderNo, res.Code, res.FaceCode, res.WillCode, rounds, plural(rounds)))
			if !res.Passed() {
				return errNotPassed
			}
			return nil
		},
	})

	var nfcReveal, nfcPhotos *bool
	register(&command{
		name: "nfc", tickets: true, args: "ORDER REQID", summary: "a decrypted NFC ID-card reading",
		help: `Fetches the NFC result of ORDER and REQID (getIdcardNfcResult) and decrypts it with the SM4 key in
KYC_NFC_KEY (32 hex characters, from the console). Personal data is masked unless --reveal.
--photos also fetches the card images and the chip's portrait (--json reports the portrait's
size; nothing is saved). A reqId may be queried within 5 minutes and at most 10 times.`,
		flags: func(fs *flag.FlagSet) {
			nfcReveal = fs.Bool("reveal", false, "show names and numbers unmasked")
			nfcPhotos = fs.Bool("photos", false, "also fetch the card images and chip portrait")
		},
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet) error {
			if fs.NArg() != 2 {
				return usageError{"give the order number and the reqId"}
			}
			key := c.getenv("KYC_NFC_KEY")
			if key == "" {
				return usageError{"set KYC_NFC_KEY to the console's NFC key (32 hex characters)"}
			}
			cl, err := c.client(ctx, kyc.WithNFCKey(key))
			if err != nil {
				return err
			}
			res, err := cl.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: fs.Arg(0), ReqID: fs.Arg(1), Photos: *nfcPhotos})
			if err != nil {
				return err
			}
			card := res.Card
			c.emit(map[string]any{"ok": true, "orderNo": card.OrderNo, "name": mask(card.Name, *nfcReveal), "idNo": mask(card.IDNo, *nfcReveal),
				"validDateEnd": card.ValidDateEnd, "portraitBytes": len(card.PortraitPhoto)},
				fmt.Sprintf("order %s: %s, %s, valid until %s", card.OrderNo, mask(card.Name, *nfcReveal), mask(card.IDNo, *nfcReveal), card.ValidDateEnd))
			return nil
		},
	})

	extraJourneys = append(extraJourneys, ocrJourney, willJourney, nfcJourney)
}

// willRounds counts the question-and-answer rounds of a result. A multi-round result lists them in
// willTurnsData (Turns); a one-round result has no willTurnsData and carries its round in the
// top-level willStandText, willUserAnswer and willUserAudio, so it is one round, not zero. A
// result with neither (the person never reached the will stage) counts none.
func willRounds(res *kyc.WillResult) int {
	if len(res.Turns) > 0 {
		return len(res.Turns)
	}
	if res.StandText != "" || res.StandAnswer != "" || res.UserAnswer != "" || len(res.UserAudio) > 0 {
		return 1
	}
	return 0
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func ocrJourney(ctx context.Context, d *demo, srv *kyctest.Server, c *kyc.Client) error {
	d.section("ID-card OCR journey")
	orderNo := demoOrderNo("ocr")
	start, err := c.OCR.IDCardSDKParams(ctx, kyc.OCRStartRequest{OrderNo: orderNo, UserID: "demoUser3"})
	if err != nil {
		return err
	}
	d.say("OCR SDK start values signed with a fresh NONCE ticket (no upload for OCR): sign %d chars", len(start.Sign))
	if err := srv.CompleteIDCardOCR(orderNo, kyctest.SampleIDCard()); err != nil {
		return err
	}
	d.say("the app scanned both sides of an (invented) ID card")
	res, err := c.OCR.IDCardResult(ctx, kyc.IDCardQuery{OrderNo: orderNo, Images: true})
	if err != nil {
		return err
	}
	d.say("result: front %s, back %s, name %s, ID %s, images %d+%d bytes", res.FrontCode, res.BackCode, mask(res.Name, false),
		mask(res.IDNo, false), len(res.FrontPhoto), len(res.BackPhoto))
	return nil
}

func willJourney(ctx context.Context, d *demo, srv *kyctest.Server, c *kyc.Client) error {
	d.section("will verification journey (App SDK)")
	orderNo, userID := demoOrderNo("will"), "demoUser4"
	face, err := c.Will.GetFaceID(ctx, kyc.WillFaceIDRequest{OrderNo: orderNo, UserID: userID, Name: demoName, IDNo: demoIDNo,
		Rounds: []kyc.WillRound{{Question: "本次业务是否为您本人自愿办理？请回答：是的", Answers: []string{"是的", "是"}}}})
	if err != nil {
		return err
	}
	d.say("uploaded identity and one question-and-answer round: faceId %s", face.FaceID)
	start, err := c.Will.SDKParams(ctx, face)
	if err != nil {
		return err
	}
	d.say("will SDK start values signed with a fresh NONCE ticket: sign %d chars", len(start.Sign))
	if err := srv.CompleteWill(orderNo, kyctest.WillPass); err != nil {
		return err
	}
	d.say("the person answered on camera")
	res, err := c.Will.QueryResult(ctx, kyc.WillQuery{OrderNo: orderNo, Files: kyc.AllWillFiles})
	if err != nil {
		return err
	}
	d.say("result: code %s (face %s, answer %s); heard %q for %q; answer audio %d bytes", res.Code, res.FaceCode, res.WillCode,
		res.UserAnswer, res.StandAnswer, len(res.UserAudio)+mediaLen(res.Turns))
	return nil
}

func nfcJourney(ctx context.Context, d *demo, srv *kyctest.Server, c *kyc.Client) error {
	d.section("NFC ID-card journey")
	nc, err := kyc.New(srv.AppID, srv.Secret, kyc.WithBaseURL(srv.URL), kyc.WithClock(srv.Clock), kyc.WithNFCKey(srv.NFCKey()))
	if err != nil {
		return err
	}
	orderNo, userID := demoOrderNo("nfc"), "demoUser5"
	cert, err := nc.NFC.GetCertID(ctx, kyc.NFCCertIDRequest{OrderNo: orderNo, UserID: userID, CardType: kyc.NFCIDCard})
	if err != nil {
		return err
	}
	d.say("upload for one NFC read: ocrCertId %s (valid 5 minutes)", cert.CertID)
	start, err := nc.NFC.SDKParams(ctx, cert)
	if err != nil {
		return err
	}
	d.say("NFC SDK start values include the ocrCertId (sign %d chars)", len(start.Sign))
	reqID, err := srv.CompleteNFC(orderNo, kyctest.SampleNFCCard())
	if err != nil {
		return err
	}
	d.say("the app read the (invented) card's chip: reqId %s", reqID)
	res, err := nc.NFC.QueryResult(ctx, kyc.NFCQuery{OrderNo: orderNo, ReqID: reqID})
	if err != nil {
		return err
	}
	d.say("result fetched and SM4-decrypted: %s, %s, valid until %s", mask(res.Card.Name, false), mask(res.Card.IDNo, false), res.Card.ValidDateEnd)
	return nil
}

func mediaLen(turns []kyc.WillTurn) int {
	n := 0
	for _, t := range turns {
		n += len(t.UserAudio)
	}
	return n
}
