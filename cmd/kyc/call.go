package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"strings"
)

// kyc call: any faceid action, for operators (kyc.Client.CallCloud).
func init() {
	var params string
	register(&command{
		name: "call", args: "ACTION --json '{...}'", summary: "call any API 3.0 faceid action and print its Response",
		help: `Sends one Tencent Cloud API 3.0 action of the faceid service (version 2018-03-01), TC3-signed
with KYC_SECRET_ID and KYC_SECRET_KEY (KYC_CLOUD_URL for another endpoint), and prints the
Response object of the answer (without the envelope) as indented JSON. For actions the other
commands do not cover, e.g.:

  kyc call MobileStatus --json '{"Mobile":"13800000000"}'
  kyc call GetDetectInfoEnhanced --json '{"BizToken":"...","RuleId":"1","InfoType":"0"}'
  kyc call IdCardVerification --json @request.json

--json takes the action's parameters as one JSON object ({} when omitted), or @FILE to read
them from a file (- for standard input). A service error prints its code and RequestId and exits
with 1. Billed actions (every check) are never resent once they may have reached the service.
The output may hold personal data the action returns: keep it out of shared logs.`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&params, "json", "{}", "the action's parameters: a JSON object, or @FILE (@- for standard input)")
		},
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet) error {
			if fs.NArg() != 1 {
				return usageError{"give one action name, e.g. kyc call MobileStatus --json '{\"Mobile\":\"...\"}'"}
			}
			body, err := readParams(params)
			if err != nil {
				return err
			}
			cl, err := c.cloudClient()
			if err != nil {
				return err
			}
			var out json.RawMessage
			if err := cl.CallCloud(ctx, fs.Arg(0), body, &out); err != nil {
				return err
			}
			c.printJSON(c.stdout, out)
			return nil
		},
	})
}

// readParams reads --json: the JSON itself, or @FILE (@- is standard input).
func readParams(v string) (json.RawMessage, error) {
	if name, ok := strings.CutPrefix(v, "@"); ok {
		var b []byte
		var err error
		if name == "-" {
			b, err = readAllStdin()
		} else {
			b, err = os.ReadFile(name)
		}
		if err != nil {
			return nil, usageError{"--json: " + err.Error()}
		}
		v = string(b)
	}
	if !json.Valid([]byte(v)) {
		return nil, usageError{"--json: not valid JSON (give the parameters as one JSON object)"}
	}
	return json.RawMessage(v), nil
}

// readAllStdin reads standard input (a variable so that tests can replace it).
var readAllStdin = func() ([]byte, error) { return io.ReadAll(io.LimitReader(os.Stdin, 16<<20)) }
