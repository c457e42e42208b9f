package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kycgo/kyc"
)

func init() {
	var reveal *bool
	register(&command{
		name: "token", tickets: true, summary: "show the current access token and SIGN ticket (expiry only)",
		help: `Fetches the access token and SIGN ticket for KYC_APP_ID and shows when they were fetched and
when they expire. The values themselves are shown only with --reveal.

Careful: every fetch cuts the previous token's life to about a minute. If a fleet of servers
shares this appId, run it with their ticket store (--store, below), or it cuts them off from
their token too.`,
		flags: func(fs *flag.FlagSet) { reveal = fs.Bool("reveal", false, "also print the token and ticket values") },
		run: func(ctx context.Context, c *cli, _ *flag.FlagSet) error {
			cl, err := c.client(ctx)
			if err != nil {
				return err
			}
			u, err := cl.Tickets(ctx)
			if err != nil {
				return err
			}
			out := map[string]any{"ok": true, "appId": u.AppID, "fetchedAt": u.FetchedAt, "tokenExpiresAt": u.TokenExpiresAt,
				"ticketExpiresAt": u.TicketExpiresAt}
			lines := []string{
				"appId:           " + u.AppID,
				"fetched:         " + u.FetchedAt.Format(time.RFC3339),
				"token expires:   " + u.TokenExpiresAt.Format(time.RFC3339),
				"ticket expires:  " + u.TicketExpiresAt.Format(time.RFC3339),
			}
			if *reveal {
				out["accessToken"], out["signTicket"] = u.AccessToken, u.SignTicket
				lines = append(lines, "access token:    "+u.AccessToken, "SIGN ticket:     "+u.SignTicket)
			}
			c.emit(out, lines...)
			return nil
		},
	})

	var ticket, nonceUser *string
	register(&command{
		name: "sign", tickets: true, args: "VALUE...", summary: "sign values as the service does",
		help: `Prints the kyc1 signature of the values: the values and a ticket, empty ones dropped, sorted,
joined, SHA-1, 40 upper-case hex characters. The ticket is the current SIGN ticket, a new
NONCE ticket for --nonce-user, or the one given with --ticket (then nothing is sent).`,
		flags: func(fs *flag.FlagSet) {
			ticket = fs.String("ticket", "", "sign with this ticket instead of fetching one")
			nonceUser = fs.String("nonce-user", "", "sign with a new NONCE ticket for this user id")
		},
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet) error {
			if fs.NArg() == 0 {
				return usageError{"give the values to sign"}
			}
			t, kind := *ticket, "given"
			if t == "" {
				cl, err := c.client(ctx)
				if err != nil {
					return err
				}
				if *nonceUser != "" {
					t, kind = "", "NONCE"
					if t, err = cl.NonceTicket(ctx, *nonceUser); err != nil {
						return err
					}
				} else {
					kind = "SIGN"
					if t, err = cl.SignTicket(ctx); err != nil {
						return err
					}
				}
			}
			sig := kyc.Sign(t, fs.Args()...)
			c.emit(map[string]any{"ok": true, "sign": sig, "ticket": kind}, sig)
			return nil
		},
	})

	var photo, video *string
	register(&command{
		name: "query", tickets: true, args: "ORDER", summary: "the verdict of a face verification order",
		help: `Asks the service for the result of ORDER (queryfacerecord) and prints the verdict, scores and
risk information. --photo and --video save the media to files, streamed as it arrives.
Exit code 3 when the verdict is not a pass.`,
		flags: func(fs *flag.FlagSet) {
			photo = fs.String("photo", "", "save the photo to this file")
			video = fs.String("video", "", "save the video to this file")
		},
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet) error {
			cl, orderNo, err := c.orderClient(ctx, fs)
			if err != nil {
				return err
			}
			pf, err := create(*photo)
			if err != nil {
				return err
			}
			vf, err := create(*video)
			if err != nil {
				return err
			}
			res, err := cl.Face.QueryResultTo(ctx, kyc.FaceQuery{OrderNo: orderNo}, kyc.FaceWriters{Photo: writerOrNil(pf), Video: writerOrNil(vf)})
			for _, f := range []*os.File{pf, vf} {
				if f != nil {
					if cerr := f.Close(); err == nil {
						err = cerr
					}
				}
			}
			if err != nil {
				return err
			}
			return c.printVerdict(res)
		},
	})
}

// printVerdict prints a face result; a verdict that is not a pass ends with exit code 3.
func (c *cli) printVerdict(res *kyc.FaceResult) error {
	meaning := ""
	if info, ok := kyc.LookupCode(res.Code); ok {
		meaning = info.EN
	}
	out := map[string]any{"ok": true, "orderNo": res.OrderNo, "passed": res.Passed(), "code": res.Code, "meaning": meaning,
		"liveRate": res.LiveRate, "similarity": res.Similarity, "occurredTime": res.OccurredTime, "bizSeqNo": res.BizSeqNo}
	lines := []string{
		fmt.Sprintf("order %s: code %s (%s)", res.OrderNo, res.Code, meaning),
		fmt.Sprintf("liveness %s, similarity %s, at %s", res.LiveRate, res.Similarity, res.OccurredTime),
	}
	if res.Risk != nil {
		tags, _ := res.Risk.ShieldTags()
		out["deviceInfoLevel"], out["highRiskDevice"] = res.Risk.DeviceInfoLevel, res.Risk.HighRiskDevice()
		line := fmt.Sprintf("device risk level %q", res.Risk.DeviceInfoLevel)
		for _, t := range tags {
			line += "; AI shield: " + t.String()
		}
		lines = append(lines, line)
	}
	c.emit(out, lines...)
	if !res.Passed() {
		return errNotPassed
	}
	return nil
}

func create(path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
}

func writerOrNil(f *os.File) io.Writer {
	if f == nil {
		return nil
	}
	return f
}
