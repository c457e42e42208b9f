package kyc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kycgo/kyc/internal/transport"
)

// FileStore is a TicketStore in files, for the processes of one host: the manual asks for the
// access token and SIGN ticket to be cached on disk (docs/A-auth-sign-face.md §2.1), and a process that restarts
// reuses the stored unit while it is valid instead of fetching one, which would cut the other
// processes' token to a minute.
//
// Each appId has three files in the directory: APPID.json holds the unit and the lease record
// (mode 0600, replaced atomically: temporary file, fsync, rename, fsync of the directory);
// APPID.lock is locked (flock) around every change; APPID.lease is locked by the lease holder for
// as long as it holds the lease, so that when it dies the kernel frees the lease at once instead
// of after its time; APPID.counts holds the NFC query counts (QueryCounter). The files hold
// secrets: keep the directory private to the service's user.
//
// FileStore trusts only what it wrote: a file that anyone but the process's user could have
// planted or read is refused with an error naming the file and what is wrong (never its
// content), not used. NewFileStore refuses a directory that is not owned by the process's
// effective uid or that group or others may write (a symbolic link to the directory is
// followed, and its target checked); every file is opened without following a symbolic link
// (O_NOFOLLOW), and refused unless it is a regular file owned by the process's effective uid
// with no permission for group or others (mode 0600 or stricter). A refused file is left in
// place for its owner to inspect; remove it to go on.
//
// FileStore works on Linux, the BSDs and macOS; elsewhere NewFileStore returns an error. Use it on
// a local disk: flock is not reliable on network file systems. Hosts that share one appId need a
// store they all reach, such as github.com/kycgo/kyc/redisstore.
type FileStore struct {
	dir string
}

// NewFileStore returns a FileStore in dir, creating it with mode 0700 if it does not exist. It
// refuses, before reading anything, an existing directory that is owned by another user or that
// group or others may write.
func NewFileStore(dir string) (*FileStore, error) {
	if !fileLocking {
		return nil, errFileStoreUnsupported
	}
	if dir == "" {
		return nil, invalidInput("ticket store directory", "must not be empty")
	}
	dir = filepath.Clean(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("kyc: ticket store directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("kyc: ticket store directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, invalidInput("ticket store directory", "is not a directory")
	}
	if err := checkTrusted(fi, 0o022); err != nil {
		return nil, fmt.Errorf("kyc: ticket store directory %s: %w", dir, err)
	}
	return &FileStore{dir: dir}, nil
}

// checkTrusted refuses fi unless it is owned by the process's effective uid and has none of
// the permission bits in forbidden. Where the system has no owners (fileOwner reports false),
// only the permission bits are checked.
func checkTrusted(fi fs.FileInfo, forbidden fs.FileMode) error {
	if uid, ok := fileOwner(fi); ok && uid != os.Geteuid() {
		return fmt.Errorf("%w: owned by uid %d, not by this process's uid %d", ErrUntrustedFile, uid, os.Geteuid())
	}
	if perm := fi.Mode().Perm(); perm&forbidden != 0 {
		who := "group or others"
		if forbidden == 0o022 {
			return fmt.Errorf("%w: mode %#o lets %s write to it (use 0700)", ErrUntrustedFile, perm, who)
		}
		return fmt.Errorf("%w: mode %#o gives %s access to it (use 0600)", ErrUntrustedFile, perm, who)
	}
	return nil
}

// openTrusted opens a file of the store without following a symbolic link, and refuses it
// unless it is a regular file that only the process's user can read and write. Its errors name
// the file, never its content.
func (s *FileStore) openTrusted(p string, flag int) (*os.File, error) {
	f, err := os.OpenFile(p, flag|openNoFollow, 0o600)
	if err != nil {
		if isSymlinkRefusal(err) {
			return nil, fmt.Errorf("kyc: ticket store: %s: %w: it is a symbolic link", p, ErrUntrustedFile)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%w: not a regular file", ErrUntrustedFile)
	}
	if err == nil {
		err = checkTrusted(fi, 0o077)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("kyc: ticket store: %s: %w", p, err)
	}
	return f, nil
}

// fileState is the content of APPID.json.
type fileState struct {
	Unit  *TicketUnit      `json:"unit,omitempty"`
	Fence uint64           `json:"fence,omitempty"` // the last fence granted
	Lease *fileLeaseRecord `json:"lease,omitempty"`
}

type fileLeaseRecord struct {
	Fence  uint64    `json:"fence"`
	Until  time.Time `json:"until"`  // wall clock
	Locked bool      `json:"locked"` // the holder locks APPID.lease: a free lock means it died
	PID    int       `json:"pid"`    // for people reading the file
}

// errCorrupt marks a state file that does not decode. Its message never quotes the content.
var errCorrupt = errors.New("not a ticket store file")

func (s *FileStore) path(appID, ext string) string { return filepath.Join(s.dir, appID+ext) }

// Load implements TicketStore. It reads without locking: files are replaced, never rewritten
// in place, so a reader sees the old or the new content.
func (s *FileStore) Load(_ context.Context, appID string) (*TicketUnit, error) {
	if err := checkAppID(appID); err != nil {
		return nil, err
	}
	st, err := s.read(appID)
	if err != nil {
		return nil, err
	}
	if st.Unit == nil || st.Unit.AppID != appID {
		return nil, nil
	}
	return st.Unit, nil
}

// Save implements TicketStore.
func (s *FileStore) Save(ctx context.Context, u *TicketUnit) error {
	if err := checkUnit(u); err != nil {
		return err
	}
	mu, err := s.lock(ctx, u.AppID)
	if err != nil {
		return err
	}
	defer mu.Close()
	st, err := s.read(u.AppID)
	if err != nil && !errors.Is(err, errCorrupt) {
		return err
	}
	if err := CheckSave(st.Unit, u, st.Fence); err != nil {
		return err
	}
	unit := *u
	st.Unit = &unit
	return s.write(u.AppID, st)
}

// Lease implements TicketStore. Lease times are wall-clock times.
func (s *FileStore) Lease(ctx context.Context, appID string, ttl time.Duration) (Lease, error) {
	if err := checkAppID(appID); err != nil {
		return nil, err
	}
	if ttl <= 0 {
		return nil, invalidInput("lease time", "must be positive")
	}
	mu, err := s.lock(ctx, appID)
	if err != nil {
		return nil, err
	}
	defer mu.Close()
	st, err := s.read(appID)
	if err != nil && !errors.Is(err, errCorrupt) {
		return nil, err
	}
	hold, err := s.openTrusted(s.path(appID, ".lease"), os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, wrapStoreErr(err)
	}
	held, err := tryLock(hold)
	if err != nil {
		hold.Close()
		return nil, fmt.Errorf("kyc: ticket store: locking %s: %w", hold.Name(), err)
	}
	now := time.Now()
	if st.Lease != nil && now.Before(st.Lease.Until) && (!held || !st.Lease.Locked) {
		hold.Close()
		return nil, ErrLeaseHeld
	}
	// The lease is free: released, timed out, or its holder died (the kernel dropped its lock).
	// A holder past its time that still runs may keep its lock a moment longer; the new lease
	// then stands on the record alone (Locked false: nobody can tell its death from the lock,
	// so it lasts its full time), and fencing refuses whatever the old holder saves late.
	if !held {
		hold.Close()
		hold = nil
	}
	fence := st.Fence
	if st.Unit != nil {
		fence = max(fence, st.Unit.Fence)
	}
	fence++
	st.Fence = fence
	st.Lease = &fileLeaseRecord{Fence: fence, Until: now.Add(ttl), Locked: hold != nil, PID: os.Getpid()}
	if err := s.write(appID, st); err != nil {
		if hold != nil {
			hold.Close()
		}
		return nil, err
	}
	l := &fileLease{store: s, appID: appID, fence: fence, hold: hold}
	if hold != nil {
		// The lease ends when its time passes even if Release never comes.
		l.timer = time.AfterFunc(ttl, l.drop)
	}
	return l, nil
}

type fileLease struct {
	store *FileStore
	appID string
	fence uint64

	once  sync.Once
	hold  *os.File    // locked while the lease is held; nil for a lease on the record alone
	timer *time.Timer // set before Lease returns; drop must not touch it (the timer runs drop)
}

// Fence implements FencedLease.
func (l *fileLease) Fence() uint64 { return l.fence }

// Release implements Lease: it unlocks, then clears the record if it is still this lease's. (In
// that order, a process that takes the lease in between finds the lock free and holds it.)
func (l *fileLease) Release(ctx context.Context) error {
	if l.timer != nil {
		l.timer.Stop()
	}
	l.drop()
	mu, err := l.store.lock(ctx, l.appID)
	if err != nil {
		return err
	}
	defer mu.Close()
	st, err := l.store.read(l.appID)
	if err != nil {
		return err
	}
	if st.Lease == nil || st.Lease.Fence != l.fence {
		return nil // timed out, and maybe taken by another
	}
	st.Lease = nil
	return l.store.write(l.appID, st)
}

// drop unlocks APPID.lease (closing the file releases the flock). The timer calls it too.
func (l *fileLease) drop() {
	l.once.Do(func() {
		if l.hold != nil {
			l.hold.Close()
		}
	})
}

// CountQuery implements QueryCounter for the processes that share the directory: the counts of
// an appId are in APPID.counts, changed under APPID.lock. Times are the callers' clocks.
func (s *FileStore) CountQuery(ctx context.Context, appID, key string, now time.Time, keep time.Duration) (int, time.Time, error) {
	if err := checkCountKey(appID, key, keep); err != nil {
		return 0, time.Time{}, err
	}
	mu, err := s.lock(ctx, appID)
	if err != nil {
		return 0, time.Time{}, err
	}
	defer mu.Close()
	p := s.path(appID, ".counts")
	counts := map[string]queryCount{}
	data, err := s.readTrusted(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return 0, time.Time{}, wrapStoreErr(err)
	case json.Unmarshal(data, &counts) != nil:
		// Never quote the content; an unknown count is not reset to zero (remove the file to).
		return 0, time.Time{}, fmt.Errorf("kyc: ticket store: %s (%d bytes): %w", p, len(data), errCorrupt)
	}
	if counts == nil {
		counts = map[string]queryCount{}
	}
	for k, c := range counts { // the file is rewritten whole: keep it to the live counts
		if !now.Before(c.Until) {
			delete(counts, k)
		}
	}
	q := countQuery(counts, key, now, keep)
	if data, err = json.Marshal(counts); err != nil {
		return 0, time.Time{}, fmt.Errorf("kyc: ticket store: encoding: %w", err)
	}
	if err := s.replace(appID, ".counts", data); err != nil {
		return 0, time.Time{}, err
	}
	return q.N, q.First, nil
}

// lock takes APPID.lock, waiting while another process or client holds it (only ever for one
// read and one write). Closing the returned file unlocks it.
func (s *FileStore) lock(ctx context.Context, appID string) (*os.File, error) {
	f, err := s.openTrusted(s.path(appID, ".lock"), os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, wrapStoreErr(err)
	}
	for wait := time.Millisecond; ; wait = min(2*wait, 20*time.Millisecond) {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("kyc: ticket store: locking %s: %w", f.Name(), err)
		}
		if ok {
			return f, nil
		}
		if err := transport.Sleep(ctx, wait); err != nil {
			f.Close()
			return nil, fmt.Errorf("kyc: ticket store: waiting for %s: %w", f.Name(), err)
		}
	}
}

// read returns the state of appID; a missing file is an empty state, a missing directory an
// error (the store is unreachable, not empty).
func (s *FileStore) read(appID string) (fileState, error) {
	p := s.path(appID, ".json")
	data, err := s.readTrusted(p)
	if errors.Is(err, fs.ErrNotExist) {
		if _, derr := os.Stat(s.dir); derr != nil {
			return fileState{}, fmt.Errorf("kyc: ticket store directory: %w", derr)
		}
		return fileState{}, nil
	}
	if err != nil {
		return fileState{}, wrapStoreErr(err)
	}
	var st fileState
	if json.Unmarshal(data, &st) != nil {
		// The decoder's message may quote the content, which holds secrets: say only where.
		return fileState{}, fmt.Errorf("kyc: ticket store: %s (%d bytes): %w", p, len(data), errCorrupt)
	}
	return st, nil
}

// readTrusted reads the file at p through openTrusted.
func (s *FileStore) readTrusted(p string) ([]byte, error) {
	f, err := s.openTrusted(p, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// wrapStoreErr prefixes an error of the file system; openTrusted's own errors have the prefix.
func wrapStoreErr(err error) error {
	if errors.Is(err, ErrUntrustedFile) {
		return err
	}
	return fmt.Errorf("kyc: ticket store: %w", err)
}

// write replaces the state file of appID atomically: a temporary file in the same directory,
// written and synced, renamed over the old one, then the directory synced so that the rename
// survives a crash.
func (s *FileStore) write(appID string, st fileState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("kyc: ticket store: encoding: %w", err)
	}
	return s.replace(appID, ".json", data)
}

// replace replaces the file appID+ext with data atomically (see write).
func (s *FileStore) replace(appID, ext string, data []byte) (err error) {
	tmp, err := os.CreateTemp(s.dir, "."+appID+".*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("kyc: ticket store: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err == nil {
		if _, err = tmp.Write(data); err == nil {
			err = tmp.Sync()
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("kyc: ticket store: writing %s: %w", tmp.Name(), err)
	}
	if err = os.Rename(tmp.Name(), s.path(appID, ext)); err != nil {
		return fmt.Errorf("kyc: ticket store: %w", err)
	}
	syncDir(s.dir)
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: not every system can sync a
// directory, and the rename itself has already happened.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
