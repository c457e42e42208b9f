package kyc

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/kycgo/kyc/internal/wire"
)

// TicketUnit is an access token and the SIGN ticket fetched with it. They are fetched, stored and
// dropped together: a ticket dies with its token (docs/A-auth-sign-face.md §2.2). Times are on the fetching
// client's clock, computed from expire_in, never from the service's expire_time (docs/A-auth-sign-face.md §2.1).
//
// A TicketUnit prints as redacted under %v, %+v, %#v and in slog.
type TicketUnit struct {
	AppID           string    `json:"appId"`
	AccessToken     string    `json:"accessToken"`
	SignTicket      string    `json:"signTicket"`
	FetchedAt       time.Time `json:"fetchedAt"`
	TokenExpiresAt  time.Time `json:"tokenExpiresAt"`
	TicketExpiresAt time.Time `json:"ticketExpiresAt"`
	// Fence is the fencing token of the store lease the unit was fetched under (0: none). A
	// store uses it to refuse the unit of a refresher whose lease ran out (see FencedLease).
	Fence uint64 `json:"fence,omitempty"`
}

// ExpiresAt is when the first of the two expires.
func (u *TicketUnit) ExpiresAt() time.Time {
	if u.TicketExpiresAt.Before(u.TokenExpiresAt) {
		return u.TicketExpiresAt
	}
	return u.TokenExpiresAt
}

// String shows the appId and times only.
func (u TicketUnit) String() string {
	return fmt.Sprintf("TicketUnit{appId: %s, fetched: %s, expires: %s, token: REDACTED, ticket: REDACTED}",
		u.AppID, u.FetchedAt.Format(time.RFC3339), u.ExpiresAt().Format(time.RFC3339))
}

// GoString keeps %#v redacted too.
func (u TicketUnit) GoString() string { return u.String() }

// LogValue keeps the token and ticket out of structured logs.
func (u TicketUnit) LogValue() slog.Value {
	return slog.GroupValue(slog.String("appId", u.AppID), slog.Time("fetchedAt", u.FetchedAt),
		slog.Time("expiresAt", u.ExpiresAt()))
}

// Ticket-manager timings that are not options.
const (
	// expiryMargin: a unit this close to expiry is no longer handed out; callers wait for a new one.
	// A unit whose life is under ten times this uses a tenth of its life instead (marginFor).
	expiryMargin = 30 * time.Second
	// prevTicketWindow bounds how long the SIGN ticket a refresh replaced still verifies a
	// callback: the service keeps a replaced ticket valid for about one minute (docs/A-auth-sign-face.md §2.2), and a
	// callback it signed just before the replacement reaches the partner after the browser's
	// redirect, which we allow another minute. Never longer than the old ticket's own life.
	prevTicketWindow = 2 * time.Minute
	// callbackRecheckTimeout bounds the one store re-read a callback whose signature matches no
	// ticket we hold triggers (another instance may have refreshed): a browser is waiting.
	callbackRecheckTimeout = 2 * time.Second
	// leasePoll is how often an instance waiting for another's refresh re-reads the store.
	leasePoll = 200 * time.Millisecond
	// storeOpTimeout bounds one store call made outside a refresh's own deadline (re-reads,
	// and saving and releasing after a fetch that used up its time).
	storeOpTimeout = 5 * time.Second
	// Failed refreshes back off from minFailBackoff to maxFailBackoff.
	minFailBackoff = time.Second
	maxFailBackoff = time.Minute
)

// ticketConfig is all the ticket manager knows of its client, in the shape of aws-sdk-go-v2's
// CredentialsCache (a provider's Retrieve and the cache's options): how to fetch a unit, where
// to share it, when to refresh, and the client's lifetime. The manager never reaches into the
// Client itself.
type ticketConfig struct {
	// fetch gets a new access token and SIGN ticket for appID from the service.
	fetch func(ctx context.Context, appID, secret string) (TicketUnit, error)

	clock       Clock
	systemClock bool // clock is the system one: the fast path may use timers (arm)
	log         *slog.Logger
	obs         Observer // nil: no events (observe.go)

	store       TicketStore
	sharedStore bool // the store came from WithTicketStore: other clients may share it

	refreshAfter   time.Duration
	storeRecheck   time.Duration
	refreshTimeout time.Duration // 0 means defaultRefreshTimeout

	// closed reports a closed client; background runs f on the client's background context
	// unless it is closed (close.go), and lifetime is that context.
	closed     *atomic.Bool // read on the fast path: a plain load, not a call
	background func(f func(ctx context.Context)) bool
	lifetime   context.Context
}

// ticketConfig is the ticket manager's view of c.
func (c *Client) ticketConfig() *ticketConfig {
	return &ticketConfig{
		fetch: c.fetchUnit, clock: c.clock, systemClock: c.systemClock, log: c.log, obs: c.obs,
		store: c.store, sharedStore: c.sharedStore,
		refreshAfter: c.refreshAfter, storeRecheck: c.storeRecheck, refreshTimeout: c.refreshTimeout,
		closed: &c.closed, background: c.goBackground, lifetime: c.bg,
	}
}

// ticketManager owns the ticket units of a client, keyed by appId (OCR may use its own appId).
type ticketManager struct {
	cfg  *ticketConfig
	mu   sync.Mutex
	apps map[string]*appTickets
}

func newTicketManager(cfg *ticketConfig) *ticketManager {
	return &ticketManager{cfg: cfg, apps: map[string]*appTickets{}}
}

// stop stops the timers of every app (Client.Close).
func (m *ticketManager) stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.apps {
		if t := a.timer.Load(); t != nil {
			t.Stop()
		}
	}
}

func (m *ticketManager) app(appID, secret string) *appTickets {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.apps[appID]; ok {
		return a
	}
	a := &appTickets{cfg: m.cfg, appID: appID, secret: secret}
	m.apps[appID] = a
	return a
}

// cachedUnit is a unit in service with the instants, on our clock, that steer its refresh.
type cachedUnit struct {
	TicketUnit
	refreshAt int64 // UnixNano: past it, one caller starts a background refresh
	waitAt    int64 // UnixNano: past it, callers wait for a new unit

	// fresh lets get skip reading the clock (which costs more than the rest of the fast path on
	// some virtual machines). It is set only with the system clock, and a timer clears it at
	// the next instant that needs a decision (refreshAt or the next store re-read).
	fresh atomic.Bool
	armed atomic.Bool
}

// arm sets u.fresh until the next decision point, with one timer at a time. Only for the system
// clock: a test clock can jump, so with one every call reads it.
func (a *appTickets) arm(u *cachedUnit, now int64) {
	if !a.cfg.systemClock || !u.armed.CompareAndSwap(false, true) {
		return
	}
	until := u.refreshAt
	if a.cfg.sharedStore {
		until = min(until, a.nextCheck.Load())
	}
	if until <= now {
		u.armed.Store(false)
		return
	}
	u.fresh.Store(true)
	a.timer.Store(time.AfterFunc(time.Duration(until-now), func() {
		u.fresh.Store(false)
		u.armed.Store(false)
	}))
}

// appTickets is the state for one appId.
type appTickets struct {
	cfg    *ticketConfig
	appID  string
	secret string

	cur        atomic.Pointer[cachedUnit]
	prev       atomic.Pointer[replacedUnit] // the unit cur replaced: its SIGN ticket may sign a late callback
	refreshing atomic.Bool                  // a background refresh is running
	nextCheck  atomic.Int64                 // UnixNano of the next store re-read (shared stores only)
	timer      atomic.Pointer[time.Timer]   // the last timer arm set; Close stops it
	sf         singleflight.Group

	mu          sync.Mutex
	lastErr     error     // why the last refresh failed
	failures    int       // refreshes failed in a row
	nextAttempt time.Time // no refresh before this after a failure
	rejected    string    // an access token the service refused: never adopt it again
}

// replacedUnit is a unit another one replaced, and when (on our clock).
type replacedUnit struct {
	*cachedUnit
	replacedAt time.Time
}

// get returns a unit to sign with. While the unit is fresh it is one atomic load and no
// allocation; past refreshAt one caller starts a background refresh and everyone keeps the
// current unit; only past waitAt do callers wait.
func (a *appTickets) get(ctx context.Context) (*cachedUnit, error) {
	if a.cfg.closed.Load() {
		return nil, errClosed("")
	}
	u := a.cur.Load()
	if u != nil && u.fresh.Load() {
		return u, nil
	}
	now := a.cfg.clock.Now().UnixNano()
	if u != nil {
		if now < u.refreshAt {
			if a.cfg.sharedStore && now >= a.nextCheck.Load() {
				a.recheckStore(now)
			}
			a.arm(u, now)
			return u, nil
		}
		if now < u.waitAt {
			a.refreshInBackground()
			return u, nil
		}
	}
	return a.refreshWait(ctx, false)
}

// refreshInBackground starts one background refresh unless one is running or backing off.
func (a *appTickets) refreshInBackground() {
	if !a.refreshing.CompareAndSwap(false, true) {
		return
	}
	a.mu.Lock()
	backingOff := a.cfg.clock.Now().Before(a.nextAttempt)
	a.mu.Unlock()
	if backingOff {
		a.refreshing.Store(false)
		return
	}
	started := a.cfg.background(func(bg context.Context) {
		defer a.refreshing.Store(false)
		ctx, cancel := context.WithTimeout(bg, a.refreshBound())
		defer cancel()
		_, _, _ = a.sf.Do("refresh", func() (any, error) { return a.refresh(ctx, false) })
	})
	if !started {
		a.refreshing.Store(false)
	}
}

// refreshWait refreshes (or joins the refresh in flight) and waits for it, as long as ctx allows.
func (a *appTickets) refreshWait(ctx context.Context, force bool) (*cachedUnit, error) {
	if !force {
		a.mu.Lock()
		backingOff, lastErr := a.cfg.clock.Now().Before(a.nextAttempt), a.lastErr
		a.mu.Unlock()
		if backingOff && lastErr != nil {
			return nil, a.unavailable(lastErr)
		}
	}
	// The refresh runs detached from this caller's cancellation (others may be waiting on it),
	// bounded by refreshBound. A forced refresh joins one already in flight: that one also
	// ends with a unit fetched just now.
	ch := a.sf.DoChan("refresh", func() (any, error) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.refreshBound())
		defer cancel()
		defer context.AfterFunc(a.cfg.lifetime, cancel)() // Close ends it too
		return a.refresh(rctx, force)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, a.unavailable(r.Err)
		}
		return r.Val.(*cachedUnit), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("kyc: waiting for tickets of app %s: %w", a.appID, ctx.Err())
	}
}

// unavailable explains why no unit can be handed out.
func (a *appTickets) unavailable(cause error) error {
	u := a.cur.Load()
	if u == nil {
		return &TicketError{AppID: a.appID, Cause: cause}
	}
	return &TicketError{AppID: a.appID, ExpiredAt: u.ExpiresAt(), Cause: cause}
}

// TicketError says that no usable ticket unit exists for an app: none could be fetched, or the
// one in hand expired while refreshes were failing. It matches ErrExpired in the second case and
// always matches its cause.
type TicketError struct {
	AppID     string
	ExpiredAt time.Time // zero when no unit was ever fetched
	Cause     error
}

// Error says which app has no tickets and why.
func (e *TicketError) Error() string {
	if e.ExpiredAt.IsZero() {
		return fmt.Sprintf("kyc: no tickets for app %s: fetching them failed: %s", e.AppID, bareText(e.Cause))
	}
	return fmt.Sprintf("kyc: tickets for app %s expired at %s and refreshing them failed: %s",
		e.AppID, e.ExpiredAt.Format(time.RFC3339), bareText(e.Cause))
}

// Unwrap exposes ErrExpired (when a unit expired) and the cause.
func (e *TicketError) Unwrap() []error {
	if e.ExpiredAt.IsZero() {
		return []error{e.Cause}
	}
	return []error{ErrExpired, e.Cause}
}

// marginFor is the expiry margin of a unit that lives life: expiryMargin, or a tenth of the life
// when that is shorter, so that a short-lived unit (a misconfigured or test service answering
// expire_in 10 or 1) still serves most of its life instead of being fetched again on every
// call. A 3600 s unit keeps the full 30 s.
func marginFor(life time.Duration) time.Duration {
	if life <= 0 {
		return 0
	}
	return min(expiryMargin, life/10)
}

func (a *appTickets) cache(t TicketUnit) *cachedUnit {
	life := t.ExpiresAt().Sub(t.FetchedAt)
	margin := marginFor(life)
	// The background refresh starts at refreshAfter, but for a short life no later than two
	// margins before expiry: at most one fetch per unit, started before callers must wait.
	refresh := max(min(a.cfg.refreshAfter, life-2*margin), 0)
	// Up to 5% jitter so a fleet does not refresh in lockstep.
	refresh -= time.Duration(rand.Int64N(int64(refresh)/20 + 1))
	refreshAt := t.FetchedAt.Add(refresh)
	waitAt := t.ExpiresAt().Add(-margin)
	if refreshAt.After(waitAt) {
		refreshAt = waitAt
	}
	return &cachedUnit{TicketUnit: t, refreshAt: refreshAt.UnixNano(), waitAt: waitAt.UnixNano()}
}

// install makes u, fetched here, the current unit.
func (a *appTickets) install(u *cachedUnit) {
	a.installed(a.cur.Swap(u), u)
}

// installed records that u replaced old: old's SIGN ticket may still sign a late callback, the
// next store re-read is one interval away, and refreshes are no longer failing.
func (a *appTickets) installed(old, u *cachedUnit) {
	now := a.cfg.clock.Now()
	if old != nil && old.SignTicket != u.SignTicket {
		// The service replaced old's ticket when it minted u's (u.FetchedAt, on the fetching
		// host's clock); we may learn of it later, from the store. The earlier of the two
		// starts the window: it can only make the window shorter (fail safe).
		at := now
		if u.FetchedAt.Before(at) {
			at = u.FetchedAt
		}
		a.prev.Store(&replacedUnit{cachedUnit: old, replacedAt: at})
	}
	a.nextCheck.Store(now.Add(a.cfg.storeRecheck).UnixNano())
	a.mu.Lock()
	a.failures, a.lastErr, a.nextAttempt = 0, nil, time.Time{}
	a.mu.Unlock()
}

// failed records a refresh failure and schedules the next attempt with jittered exponential
// backoff. The current unit stays in service until it expires. storeDown marks a failure to
// reach the store, which costs the token endpoint nothing: those are retried at least as often
// as the store is re-read, so that the fleet recovers soon after the store does.
func (a *appTickets) failed(err error, storeDown bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failures++
	d := minFailBackoff << min(a.failures-1, 10)
	if d > maxFailBackoff {
		d = maxFailBackoff
	}
	if storeDown && d > a.cfg.storeRecheck {
		d = a.cfg.storeRecheck
	}
	d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	a.lastErr = err
	a.nextAttempt = a.cfg.clock.Now().Add(d)
	a.cfg.log.Warn("kyc ticket refresh failed", "appId", a.appID, "failures", a.failures, "retryIn", d, "error", err)
	return err
}

// invalidate drops u after the service refused it, but only if it is still the current unit
// (another caller may already have replaced it).
func (a *appTickets) invalidate(u *cachedUnit) {
	if a.cur.CompareAndSwap(u, nil) {
		a.mu.Lock()
		a.rejected = u.AccessToken
		a.nextAttempt = time.Time{} // a refused unit is refreshed at once, not after a backoff
		a.mu.Unlock()
		a.cfg.log.Info("kyc ticket unit refused by the service; refreshing", "appId", a.appID)
	}
}

// fetch gets a new unit from the service (ticketConfig.fetch) and makes it current.
func (a *appTickets) fetch(ctx context.Context) (*cachedUnit, error) {
	unit, err := a.cfg.fetch(ctx, a.appID, a.secret)
	if err != nil {
		return nil, err
	}
	return a.cache(unit), nil
}

// fetchUnit gets a new access token for appID and the SIGN ticket under it (docs/A-auth-sign-face.md §2.1, §2.2):
// the ticket manager's fetch.
func (c *Client) fetchUnit(ctx context.Context, appID, secret string) (TicketUnit, error) {
	var tok tokenAnswer
	start := c.clock.Now()
	_, err := c.send(ctx, &request{
		op: endpointAccessToken, method: "GET", path: "/api/oauth2/access_token", topLevel: true,
		query: tokenQuery{AppID: appID, Secret: secret, GrantType: "client_credential", Version: APIVersion},
	}, &tok)
	if err != nil {
		return TicketUnit{}, err
	}
	if tok.AccessToken == "" || tok.ExpireIn <= 0 {
		return TicketUnit{}, fmt.Errorf("kyc: %s: %w: no token or lifetime", endpointAccessToken, ErrBadResponse)
	}
	ticket, ticketLife, err := c.apiTicket(ctx, appID, tok.AccessToken, "SIGN", "")
	if err != nil {
		return TicketUnit{}, err
	}
	return TicketUnit{
		AppID:           appID,
		AccessToken:     tok.AccessToken,
		SignTicket:      ticket,
		FetchedAt:       start,
		TokenExpiresAt:  start.Add(lifetime(tok.ExpireIn, maxTokenLifetime)),
		TicketExpiresAt: start.Add(ticketLife),
	}, nil
}

// tokenQuery and ticketQuery are the oauth2 GET queries (docs/A-auth-sign-face.md §2.1, §2.2), encoded by
// go-querystring: the parameters of a GET are named, so their order does not matter (unlike a
// signature's values, which are sorted by Sign).
type (
	tokenQuery struct {
		AppID     string `url:"appId"`
		Secret    string `url:"secret"`
		GrantType string `url:"grant_type"`
		Version   string `url:"version"`
	}
	ticketQuery struct {
		AppID       string `url:"appId"`
		AccessToken string `url:"access_token"`
		Type        string `url:"type"`
		Version     string `url:"version"`
		UserID      string `url:"user_id,omitempty"` // NONCE tickets only
	}
)

// tokenAnswer and ticketAnswer are the oauth2 answers with their frame, decoded in one pass
// (decodeAnswer).
type (
	tokenAnswer struct {
		wire.Envelope
		wire.TokenResponse
	}
	ticketAnswer struct {
		wire.Envelope
		wire.TicketResponse
	}
)

func (a *tokenAnswer) frame() *wire.Envelope  { return &a.Envelope }
func (a *ticketAnswer) frame() *wire.Envelope { return &a.Envelope }

// apiTicket fetches one SIGN or NONCE ticket with accessToken.
func (c *Client) apiTicket(ctx context.Context, appID, accessToken, kind, userID string) (string, time.Duration, error) {
	op := endpointSignTicket
	q := ticketQuery{AppID: appID, AccessToken: accessToken, Type: kind, Version: APIVersion}
	if kind == "NONCE" {
		op = endpointNonceTicket
		q.UserID = userID
	}
	var resp ticketAnswer
	if _, err := c.send(ctx, &request{op: op, method: "GET", path: "/api/oauth2/api_ticket", query: q, topLevel: true}, &resp); err != nil {
		return "", 0, err
	}
	if len(resp.Tickets) == 0 || resp.Tickets[0].Value == "" || resp.Tickets[0].ExpireIn <= 0 {
		return "", 0, fmt.Errorf("kyc: %s: %w: no ticket or lifetime", op, ErrBadResponse)
	}
	return resp.Tickets[0].Value, lifetime(resp.Tickets[0].ExpireIn, maxSignTicketLifetime), nil
}

// lifetime converts a positive expire_in to a duration of at most limit, the documented lifetime:
// a service claiming more is trusted for what the manual says, no longer (fail safe), and a
// unit the store holds is then never implausible for its own fetcher. (apiTicket clamps a
// NONCE ticket's lifetime too; its caller ignores it.)
func lifetime(expireIn wire.Int, limit time.Duration) time.Duration {
	if int64(expireIn) > int64(limit/time.Second) {
		return limit
	}
	return time.Duration(expireIn) * time.Second
}

// withUnit runs call with a current unit of app. If the service answers that the ticket or
// token is stale (the 400101 class), it drops that unit (only if it is still current), gets a
// fresh one and runs call once more.
func (c *Client) withUnit(ctx context.Context, app *appTickets, call func(u *cachedUnit) error) error {
	u, err := app.get(ctx)
	if err != nil {
		return err
	}
	err = call(u)
	if !isStaleTicket(err) {
		return err
	}
	observeStale(ctx, c.obs, err)
	app.invalidate(u)
	u2, gerr := app.get(ctx)
	if gerr != nil {
		return joinErrors(err, gerr)
	}
	return call(u2)
}

// AccessToken returns the current access token, fetching or refreshing it when needed.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	u, err := c.primary.get(ctx)
	if err != nil {
		return "", err
	}
	return u.AccessToken, nil
}

// SignTicket returns the current SIGN ticket (reusable, 60 minutes), fetching or refreshing the
// ticket unit when needed. While the unit is fresh this allocates nothing.
func (c *Client) SignTicket(ctx context.Context) (string, error) {
	u, err := c.primary.get(ctx)
	if err != nil {
		return "", err
	}
	return u.SignTicket, nil
}

// Tickets returns the current ticket unit (for display: it prints redacted).
func (c *Client) Tickets(ctx context.Context) (TicketUnit, error) {
	u, err := c.primary.get(ctx)
	if err != nil {
		return TicketUnit{}, err
	}
	return u.TicketUnit, nil
}

// NonceTicket fetches a new NONCE ticket for userID: single use, 120 seconds, bound to that user
// (docs/A-auth-sign-face.md §2.3). It is never cached: every SDK start or H5 login needs its own.
func (c *Client) NonceTicket(ctx context.Context, userID string) (string, error) {
	return c.nonceTicket(ctx, c.primary, userID)
}

func (c *Client) nonceTicket(ctx context.Context, app *appTickets, userID string) (string, error) {
	if err := checkUserID(userID); err != nil {
		return "", err
	}
	var ticket string
	err := c.withUnit(ctx, app, func(u *cachedUnit) error {
		var err error
		ticket, _, err = c.apiTicket(ctx, app.appID, u.AccessToken, "NONCE", userID)
		return err
	})
	return ticket, err
}

// RefreshTickets fetches a new access token and SIGN ticket now, whatever the age of the current
// ones. In a fleet this cuts the others' token to a minute: prefer letting the client refresh on
// its own schedule.
func (c *Client) RefreshTickets(ctx context.Context) error {
	_, err := c.primary.refreshWait(ctx, true)
	return err
}
