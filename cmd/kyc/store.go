package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kycgo/kyc"
	"github.com/kycgo/kyc/redisstore"
)

// The ticket store: the commands that fetch tickets (token, sign, query, ocr, will, nfc) use the
// store the partner's servers use, so that a run adopts their access token instead of fetching a
// new one, which would cut theirs to about a minute (kyc1 keeps the previous token alive for a
// minute after a fetch). This is why cmd/kyc is a module of its own: redisstore needs go-redis,
// which the kyc module must not require.

// storeEnv names the environment variable that holds the store when --store is not given.
const storeEnv = "KYC_STORE"

// storeForms is what --store and KYC_STORE accept, for messages and help.
const storeForms = "file:DIR or redis://[user:pass@]host:port/db (rediss:// for TLS; ?prefix=P if the servers use redisstore.WithPrefix)"

// noStoreWarning is printed on standard error, as one line, before a command fetches tickets
// without a store.
const noStoreWarning = "kyc: warning: no ticket store: fetching a new access token cuts the one your servers share for this appId to about a minute; " +
	"pass theirs with --store or " + storeEnv + " (file:DIR or redis://[user:pass@]host:port/db)"

// storeHelp ends the help of every command that fetches tickets.
const storeHelp = `Tickets: --store, or ` + storeEnv + `, names the ticket store your servers use:
  file:DIR                                  kyc.NewFileStore(DIR), on this host
  redis://[user:pass@]host:port/db          redisstore.New (rediss:// for TLS; ?prefix=P when
                                            the servers use redisstore.WithPrefix(P))
The command then uses the access token and SIGN ticket saved there, fetches only when the store
holds none that is fresh, and saves what it fetched for the servers. Without a store it fetches
on its own, which cuts the token the servers share to about a minute (it warns on standard error
first). An unreachable store stops the command before anything is fetched.`

// helpText is the help of cmd: its own, and the ticket store's when it fetches tickets.
func helpText(cmd *command) string {
	if cmd.tickets {
		return strings.TrimSpace(cmd.help) + "\n\n" + storeHelp
	}
	return strings.TrimSpace(cmd.help)
}

// Timeouts and retries of the Redis connection: a command fails fast rather than hangs on an
// unreachable store.
const (
	redisDialTimeout = 5 * time.Second
	redisIOTimeout   = 3 * time.Second
	redisRetries     = 1
	storeCheckTime   = 10 * time.Second
)

// quietRedis discards go-redis's own log lines (a pool that cannot dial logs each attempt): the
// error a command prints says the same once.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

// storeFlag registers --store on fs, into c.store, if cmd fetches tickets. Its default stays
// empty so that `kyc help` never prints the environment's value (a Redis URL may carry a password).
func (c *cli) storeFlag(cmd *command, fs *flag.FlagSet) {
	if !cmd.tickets {
		return
	}
	fs.StringVar(&c.store, "store", "", "the ticket store your servers share: "+storeForms+" (default $"+storeEnv+")")
}

// ticketStore opens the store named by --store or KYC_STORE for appID and checks that it answers,
// so that an unreachable store stops the command before anything is fetched: a client with
// nothing to serve and no store fetches without the store's lease, the very thing the store is
// there to prevent. A store that answers with an error for a value it holds (not a unit) stops
// the command too: failing is the safe reading; the servers replace such a value themselves.
// It returns nil when no store is named. Bad values are usage errors (nothing is sent); an error
// never quotes the value, which may hold a Redis password.
func (c *cli) ticketStore(ctx context.Context, appID string) (kyc.TicketStore, error) {
	spec, from := c.store, "--store"
	if spec == "" {
		spec, from = c.getenv(storeEnv), storeEnv
	}
	if spec == "" {
		return nil, nil
	}
	store, name, closeStore, err := openStore(spec)
	if err != nil {
		return nil, usageError{fmt.Sprintf("%s: %v", from, err)}
	}
	c.onClose(closeStore)
	cctx, cancel := context.WithTimeout(ctx, storeCheckTime)
	defer cancel()
	if _, err := store.Load(cctx, appID); err != nil {
		return nil, fmt.Errorf("ticket store %s: %w (nothing was fetched)", name, err)
	}
	return store, nil
}

// openStore parses spec and opens the store it names, without touching the network. name is
// spec with any password replaced, for messages.
func openStore(spec string) (store kyc.TicketStore, name string, closeStore func(), err error) {
	if dir, ok := strings.CutPrefix(spec, "file:"); ok {
		if dir == "" {
			return nil, "", nil, errors.New("file: needs a directory, e.g. file:/var/lib/kyc")
		}
		fs, err := kyc.NewFileStore(dir)
		if err != nil {
			return nil, "", nil, err
		}
		return fs, spec, func() {}, nil
	}
	if !strings.HasPrefix(spec, "redis://") && !strings.HasPrefix(spec, "rediss://") {
		return nil, "", nil, errors.New("want " + storeForms)
	}
	opts, prefix, name, err := parseRedisURL(spec)
	if err != nil {
		return nil, "", nil, err
	}
	redis.SetLogger(quietRedis{})
	rdb := redis.NewClient(opts)
	return redisstore.New(rdb, redisstore.WithPrefix(prefix)), name, func() { rdb.Close() }, nil
}

// parseRedisURL reads redis://[user:pass@]host[:port][/db][?prefix=P] (port 6379 and database 0
// by default; rediss:// for TLS). Its errors never quote the URL: url.Parse's do, password
// included, so they are not passed on. Any other query parameter is refused rather than ignored.
func parseRedisURL(spec string) (opts *redis.Options, prefix, name string, err error) {
	const form = "want redis://[user:pass@]host:port/db"
	u, perr := url.Parse(spec)
	if perr != nil {
		return nil, "", "", errors.New("not a valid Redis URL: " + form)
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return nil, "", "", errors.New("no host: " + form)
	}
	name = u.Redacted()
	if u.Fragment != "" {
		return nil, "", "", errors.New(name + ": a fragment (#) is not allowed: " + form)
	}
	port := u.Port()
	if port == "" {
		port = "6379"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, "", "", errors.New(name + ": the port must be a number from 1 to 65535")
	}
	db := 0
	if p := strings.TrimPrefix(u.Path, "/"); p != "" {
		if db, err = strconv.Atoi(p); err != nil || db < 0 {
			return nil, "", "", errors.New(name + ": the database must be a number, e.g. /0")
		}
	}
	prefix = redisstore.DefaultPrefix
	for k, v := range u.Query() {
		if k != "prefix" || len(v) != 1 || v[0] == "" {
			return nil, "", "", errors.New(name + ": the only query parameter is one non-empty prefix=P (the key prefix of redisstore.WithPrefix)")
		}
		prefix = v[0]
	}
	opts = &redis.Options{
		Addr: net.JoinHostPort(u.Hostname(), port), DB: db,
		DialTimeout: redisDialTimeout, ReadTimeout: redisIOTimeout, WriteTimeout: redisIOTimeout,
		MaxRetries: redisRetries, DialerRetries: redisRetries,
	}
	if u.User != nil {
		opts.Username = u.User.Username()
		opts.Password, _ = u.User.Password()
	}
	if u.Scheme == "rediss" {
		opts.TLSConfig = &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
	}
	return opts, prefix, name, nil
}

// onClose registers f to run when the command ends, after the ones registered later.
func (c *cli) onClose(f func()) { c.closers = append(c.closers, f) }

// close runs what onClose registered, the last first.
func (c *cli) close() {
	for i := len(c.closers) - 1; i >= 0; i-- {
		c.closers[i]()
	}
	c.closers = nil
}
