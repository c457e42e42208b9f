// Command kyc is for people who operate a partner backend of Tencent Cloud / WeBank face
// verification: run the demo, serve the fake service for front-end work, and look things up in
// the real service.
//
//	kyc demo                 the journeys against the built-in fake service
//	kyc fake --addr ADDR     serve the fake service; prints every credential as export lines
//	kyc fake-order           create and complete an order on the running fake, with an outcome
//	kyc token                the current access token's expiry
//	kyc sign VALUE...        sign values with the SIGN (or a NONCE) ticket
//	kyc query ORDER          the verdict of an order, optionally its photo and video
//	kyc ocr ORDER            an ID-card or bank-card OCR result
//	kyc will ORDER           a will-verification result
//	kyc nfc ORDER REQID      a decrypted NFC reading
//	kyc bill --from D --to D the WeChat-channel bill of a day or a range of days
//	kyc reconcile            saved details against the bill
//	kyc call ACTION --json P any API 3.0 faceid action; prints its Response
//	kyc help COMMAND         help for a command
//
// Flags may come before or after the arguments (kyc query ORDER --json), and --json may come
// before the command (kyc --json token); "--" ends the flags.
//
// Configuration comes from the environment: KYC_APP_ID, KYC_SECRET, KYC_BASE_URL (default
// https://kyc1.qcloud.com), KYC_OCR_APP_ID and KYC_OCR_SECRET (OCR's own appId, if it has one),
// KYC_SECRET_ID, KYC_SECRET_KEY (API 3.0), KYC_CLOUD_URL (default
// https://faceid.tencentcloudapi.com), KYC_NFC_KEY (hex SM4 key for NFC results), KYC_FAKE_CONTROL
// (the control address `kyc fake` prints, for fake-order), and KYC_STORE (or --store: the ticket
// store the partner's servers share, file:DIR or redis://[user:pass@]host:port/db, so that a
// command uses their access token instead of cutting it to a minute with a fetch of its own).
//
// Exit codes: 0 success; 1 the service or the network failed; 2 bad usage or configuration
// (nothing was sent); 3 the verification did not pass (query, ocr, will, nfc) or the bill and the
// saved details differ (reconcile).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/kycgo/kyc"
)

// Exit codes.
const (
	exitOK        = 0
	exitFailed    = 1
	exitUsage     = 2
	exitNotPassed = 3
)

func main() {
	ctx, stop := signalContext()
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// signalContext is cancelled by an interrupt (Ctrl-C) or a SIGTERM (what service managers and
// container runtimes send to stop a process): either ends `kyc fake` cleanly with exit code 0.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// cli is one invocation: where output goes and how it is shaped.
type cli struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	json           bool
	store          string   // --store: the ticket store (store.go)
	closers        []func() // run when the command ends (onClose)
}

// command is one subcommand.
type command struct {
	name    string
	args    string // usage after the name
	summary string
	help    string
	flags   func(fs *flag.FlagSet) // registers the command's own flags
	tickets bool                   // it fetches tickets: takes --store (store.go)
	run     func(ctx context.Context, c *cli, fs *flag.FlagSet) error
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// usageError is bad usage: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errNotPassed is a verdict that is not a pass, or differences found: exit code 3, after the
// result was printed.
var errNotPassed = errors.New("the verification did not pass")

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	c := &cli{stdout: stdout, stderr: stderr, getenv: getenv}
	// Global flags come before the command: --json (and -h).
	var globalJSON bool
	global := flag.NewFlagSet("kyc", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.BoolVar(&globalJSON, "json", false, "print JSON instead of text")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.usage(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "kyc: %v\n\n", err)
		c.usage(stderr)
		return exitUsage
	}
	args = global.Args()
	if len(args) == 0 {
		c.usage(stderr)
		return exitUsage
	}
	name := args[0]
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "kyc: unknown command %q\n\n", name)
		c.usage(stderr)
		return exitUsage
	}
	fs := newFlagSet(cmd, &c.json)
	c.storeFlag(cmd, fs)
	fs.SetOutput(stderr)
	fs.Usage = func() { c.commandHelp(stderr, cmd, fs) }
	if err := parseInterleaved(fs, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	c.json = c.json || globalJSON
	defer c.close()
	err := cmd.run(ctx, c, fs)
	return c.finish(err)
}

// newFlagSet is the flag set of cmd: --json (into jsonOut) and the command's own flags.
func newFlagSet(cmd *command, jsonOut *bool) *flag.FlagSet {
	fs := flag.NewFlagSet("kyc "+cmd.name, flag.ContinueOnError)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	if fs.Lookup("json") == nil { // kyc call's --json takes the parameters; its output is JSON anyway
		fs.BoolVar(jsonOut, "json", false, "print JSON instead of text")
	}
	return fs
}

// parseInterleaved parses args with fs, accepting flags before, between and after the positional
// arguments (the flag package alone stops at the first one), as the go command does. "--" ends the
// flags: everything after it is positional. The positional arguments are left in fs.Args().
func parseInterleaved(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		// The flag package consumes a "--" and stops; it is the argument just before rest. (A
		// "--" given as a string flag's value looks the same, and then ends the flags too.)
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	// Leave the positional arguments where fs.Args() finds them.
	return fs.Parse(append([]string{"--"}, positional...))
}

// finish prints err the way the user asked and returns the exit code.
func (c *cli) finish(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errNotPassed) {
		return exitNotPassed
	}
	code := exitFailed
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, kyc.ErrInvalidInput) {
		code = exitUsage
	}
	out := map[string]any{"ok": false, "error": err.Error()}
	var ae *kyc.APIError
	if errors.As(err, &ae) && ae.Code != "" {
		out["code"] = ae.Code
		if ae.RequestID != "" {
			out["requestId"] = ae.RequestID
		}
		if info, ok := kyc.LookupCode(ae.Code); ok {
			out["meaning"], out["meaningZH"] = info.EN, info.ZH
		}
	}
	if c.json {
		c.printJSON(c.stdout, out)
		return code
	}
	fmt.Fprintln(c.stderr, "kyc:", err)
	if m, ok := out["meaning"]; ok {
		fmt.Fprintf(c.stderr, "code %s means: %s (%s)\n", ae.Code, m, out["meaningZH"])
	}
	return code
}

func (c *cli) printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// emit prints v as JSON with --json, otherwise the text lines.
func (c *cli) emit(v any, lines ...string) {
	if c.json {
		c.printJSON(c.stdout, v)
		return
	}
	for _, l := range lines {
		fmt.Fprintln(c.stdout, l)
	}
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprintln(w, "usage: kyc COMMAND [flags] [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	sorted := append([]*command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, cmd := range sorted {
		fmt.Fprintf(w, "  %-10s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --json (before or after the command). Flags may follow the arguments.")
	fmt.Fprintln(w, "`kyc help COMMAND` explains one.")
	fmt.Fprintln(w, "Exit codes: 0 ok, 1 the service or network failed, 2 bad usage or configuration (nothing sent),")
	fmt.Fprintln(w, "            3 verification not passed, or reconciliation found differences.")
	fmt.Fprintln(w, "Environment:")
	fmt.Fprintln(w, "  KYC_APP_ID, KYC_SECRET      the kyc1 appId and its secret (token, sign, query, ocr, will, nfc)")
	fmt.Fprintln(w, "  KYC_BASE_URL                another kyc1 host (default https://kyc1.qcloud.com)")
	fmt.Fprintln(w, "  KYC_STORE                   the ticket store your servers share, file:DIR or redis://[user:pass@]host:port/db")
	fmt.Fprintln(w, "                              (or --store; without one a fetch cuts their token to about a minute)")
	fmt.Fprintln(w, "  KYC_OCR_APP_ID, KYC_OCR_SECRET  OCR's own appId and secret, if it has one (ocr)")
	fmt.Fprintln(w, "  KYC_NFC_KEY                 the console's SM4 key for NFC results, 32 hex characters (nfc)")
	fmt.Fprintln(w, "  KYC_SECRET_ID, KYC_SECRET_KEY  the Tencent Cloud API 3.0 key (bill, reconcile, call)")
	fmt.Fprintln(w, "  KYC_CLOUD_URL               another API 3.0 endpoint (default https://faceid.tencentcloudapi.com)")
	fmt.Fprintln(w, "  KYC_FAKE_CONTROL            the control address kyc fake prints (fake-order)")
}

func (c *cli) commandHelp(w io.Writer, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "%s\n\n%s\n", strings.TrimSpace("usage: kyc "+cmd.name+" [flags] "+cmd.args), helpText(cmd))
	fmt.Fprintln(w, "\nflags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func init() {
	register(&command{
		name: "help", args: "[COMMAND]", summary: "explain a command",
		help: "Prints the list of commands, or the usage, flags and details of one.",
		run: func(_ context.Context, c *cli, fs *flag.FlagSet) error {
			if fs.NArg() == 0 {
				c.usage(c.stdout)
				return nil
			}
			cmd := lookup(fs.Arg(0))
			if cmd == nil {
				return usageError{fmt.Sprintf("unknown command %q", fs.Arg(0))}
			}
			sub := newFlagSet(cmd, new(bool))
			new(cli).storeFlag(cmd, sub)
			c.commandHelp(c.stdout, cmd, sub)
			return nil
		},
	})
}

// orderClient checks that the arguments name one order and returns it with a client.
func (c *cli) orderClient(ctx context.Context, fs *flag.FlagSet, extra ...kyc.Option) (*kyc.Client, string, error) {
	if fs.NArg() != 1 {
		return nil, "", usageError{"give one order number"}
	}
	cl, err := c.client(ctx, extra...)
	return cl, fs.Arg(0), err
}

// client builds a kyc1 client from the environment, on the ticket store of --store or KYC_STORE
// (store.go); without one it warns that its fetch cuts the servers' token short. The client is
// closed when the command ends.
func (c *cli) client(ctx context.Context, extra ...kyc.Option) (*kyc.Client, error) {
	appID, secret := c.getenv("KYC_APP_ID"), c.getenv("KYC_SECRET")
	if appID == "" || secret == "" {
		return nil, usageError{"set KYC_APP_ID and KYC_SECRET (and KYC_BASE_URL for another host)"}
	}
	var opts []kyc.Option
	if base := c.getenv("KYC_BASE_URL"); base != "" {
		opts = append(opts, kyc.WithBaseURL(base))
	}
	store, err := c.ticketStore(ctx, appID)
	if err != nil {
		return nil, err
	}
	if store != nil {
		opts = append(opts, kyc.WithTicketStore(store))
	}
	cl, err := kyc.New(appID, secret, append(opts, extra...)...)
	if err != nil {
		return nil, err
	}
	c.onClose(func() { cl.Close() })
	if store == nil {
		fmt.Fprintln(c.stderr, noStoreWarning)
	}
	return cl, nil
}
