package kyc

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kycgo/kyc/internal/transport"
)

// This file is the part of the ticket manager that shares units through a TicketStore: re-reading
// the store, the refresh lease, fencing, and what happens while the store is unavailable.

// recheckStore re-reads a shared store in the background so that a unit another instance
// fetched is adopted well inside the one-minute overlap.
func (a *appTickets) recheckStore(now int64) {
	next := now + int64(a.cfg.storeRecheck)
	old := a.nextCheck.Load()
	if now < old || !a.nextCheck.CompareAndSwap(old, next) {
		return
	}
	a.cfg.background(func(bg context.Context) {
		ctx, cancel := context.WithTimeout(bg, storeOpTimeout)
		defer cancel()
		a.adoptFromStore(ctx)
	})
}

// refresh makes a new unit current. It adopts a fresher unit from the store if another instance
// saved one; otherwise it takes the store's lease, reads the store once more (the previous holder
// may have saved just before releasing) and fetches. Only one refresh runs at a time per appId:
// singleflight in this process, the lease across processes. force (RefreshTickets) fetches even
// if the store holds a fresh unit, unless another instance is fetching at that moment.
func (a *appTickets) refresh(ctx context.Context, force bool) (*cachedUnit, error) {
	for {
		if !force {
			if u, _ := a.adoptFromStore(ctx); a.fresh(u) {
				return u, nil
			}
		}
		lease, err := a.cfg.store.Lease(ctx, a.appID, a.leaseTTL())
		switch {
		case errors.Is(err, ErrLeaseHeld):
			// Another instance is fetching: wait for what it saves, or for its lease to end (it
			// may have died), re-reading the store meanwhile.
			if werr := transport.Sleep(ctx, leasePoll-leasePoll/4+time.Duration(rand.Int64N(int64(leasePoll/2)))); werr != nil {
				return nil, a.failed(fmt.Errorf("kyc: waiting for another instance's ticket refresh: %w", werr), false)
			}
			force = false // what the holder saves is as new as a forced fetch
			continue
		case err != nil:
			a.storeError(ctx, "Lease", err)
			if u := a.usable(); u != nil {
				// Fetching without the lease would cut the other instances' token to a minute
				// with no way to hand them the new one: keep serving ours, try again later.
				return nil, a.failed(wrapf(err, "ticket store unavailable"), true)
			}
			// Nothing left to serve: fetch without the lease rather than fail every call. This
			// is the one case where instances may cut each other's token (README, "Running
			// several instances"); change it here to fail instead.
			a.cfg.log.WarnContext(ctx, "kyc ticket store unavailable; fetching tickets without its lease", "appId", a.appID, "error", err)
		case !force:
			if u, _ := a.adoptFromStore(ctx); a.fresh(u) {
				a.release(ctx, lease)
				return u, nil
			}
		}
		return a.fetchAndSave(ctx, lease)
	}
}

// fetchAndSave fetches a unit under lease (nil: without one), stamps the lease's fence on it,
// saves it, releases the lease and makes the unit current. If the store refuses the unit because
// the lease ran out and a successor saved a newer one, the successor's unit is adopted instead:
// the store decides which unit the fleet uses.
func (a *appTickets) fetchAndSave(ctx context.Context, lease Lease) (*cachedUnit, error) {
	fctx, cancel := context.WithTimeout(ctx, a.refreshTimeout())
	start := time.Now()
	u, err := a.fetch(fctx)
	cancel()
	a.observeRefresh(ctx, start, err)
	// Saving and releasing must happen even if the fetch used up ctx.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), storeOpTimeout)
	defer scancel()
	if err != nil {
		a.release(sctx, lease)
		return nil, a.failed(err, false)
	}
	if fl, ok := lease.(FencedLease); ok {
		u.Fence = fl.Fence()
	}
	serr := a.cfg.store.Save(sctx, &u.TicketUnit)
	a.release(sctx, lease)
	switch {
	case errors.Is(serr, ErrUnitSuperseded):
		if nu, adopted := a.adoptFromStore(sctx); adopted {
			return nu, nil
		}
		// Nothing newer is usable in the store: ours is valid at the service, use it.
	case serr != nil:
		a.storeError(ctx, "Save", serr)
		a.cfg.log.WarnContext(ctx, "kyc ticket store save failed", "appId", a.appID, "error", serr)
	}
	a.install(u)
	return u, nil
}

func (a *appTickets) release(ctx context.Context, l Lease) {
	if l == nil {
		return
	}
	if err := l.Release(ctx); err != nil {
		a.storeError(ctx, "Release", err)
		// The lease ends by itself when its time passes.
		a.cfg.log.WarnContext(ctx, "kyc ticket store lease release failed", "appId", a.appID, "error", err)
	}
}

// fresh reports whether u needs no refresh yet.
func (a *appTickets) fresh(u *cachedUnit) bool {
	return u != nil && a.cfg.clock.Now().UnixNano() < u.refreshAt
}

// usable returns the current unit if it may still be handed out.
func (a *appTickets) usable() *cachedUnit {
	if u := a.cur.Load(); u != nil && a.cfg.clock.Now().UnixNano() < u.waitAt {
		return u
	}
	return nil
}

// defaultRefreshTimeout bounds one refresh of a ticket unit (see WithRefreshTimeout).
const defaultRefreshTimeout = 30 * time.Second

func (a *appTickets) refreshTimeout() time.Duration {
	if d := a.cfg.refreshTimeout; d > 0 {
		return d
	}
	return defaultRefreshTimeout
}

// leaseTTL outlasts the fetch it guards, with room to save and release.
func (a *appTickets) leaseTTL() time.Duration {
	d := a.refreshTimeout()
	return d + d/4
}

// refreshBound bounds a whole refresh: outwaiting a dead holder's lease, then fetching.
func (a *appTickets) refreshBound() time.Duration {
	return a.leaseTTL() + a.refreshTimeout()
}

// adoptFromStore makes the stored unit current if it supersedes ours, is usable, and is not one
// the service refused. It returns the current unit after the check, and whether it adopted.
func (a *appTickets) adoptFromStore(ctx context.Context) (*cachedUnit, bool) {
	su, err := a.cfg.store.Load(ctx, a.appID)
	cur := a.cur.Load()
	if err != nil {
		a.storeError(ctx, "Load", err)
		a.cfg.log.WarnContext(ctx, "kyc ticket store load failed", "appId", a.appID, "error", err)
		return cur, false
	}
	if su == nil || su.AppID != a.appID || su.AccessToken == "" || su.SignTicket == "" {
		return cur, false
	}
	a.mu.Lock()
	rejected := su.AccessToken == a.rejected
	a.mu.Unlock()
	if rejected || (cur != nil && !su.Supersedes(&cur.TicketUnit)) {
		return cur, false
	}
	if why := implausible(su, a.cfg.clock.Now()); why != "" {
		a.cfg.log.WarnContext(ctx, "kyc ticket store holds an implausible unit; not using it", "appId", a.appID, "reason", why)
		return cur, false
	}
	u := a.cache(*su)
	if a.cfg.clock.Now().UnixNano() >= u.waitAt {
		return cur, false
	}
	// A concurrent re-read may have installed an even newer unit meanwhile: never go back.
	if !a.cur.CompareAndSwap(cur, u) {
		return a.cur.Load(), false
	}
	a.installed(cur, u)
	return u, true
}
