//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package kyc

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// fileLocking: this system has flock, so FileStore works.
const fileLocking = true

// errFileStoreUnsupported is never returned here (see filestore_other.go). It is written
// without "error" as a declared type on purpose: go doc reads unexported declarations too, and a
// top-level "var x error" makes it take "error" for a type of this package, after which no
// (*T, error) constructor is listed under its type (New under Client). TestConstructorsListedUnderTheirType.
var errFileStoreUnsupported = error(nil)

// tryLock takes an exclusive flock on f without waiting; false means another open file holds it.
// flock locks belong to the open file, so two clients of one process exclude each other too.
func tryLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK), errors.Is(err, syscall.EAGAIN):
			return false, nil
		default:
			return false, err
		}
	}
}

// openNoFollow makes opening a symbolic link fail (ELOOP) instead of following it.
const openNoFollow = syscall.O_NOFOLLOW

// isSymlinkRefusal reports whether err is an open refused by openNoFollow.
func isSymlinkRefusal(err error) bool { return errors.Is(err, syscall.ELOOP) }

// fileOwner returns the uid that owns fi.
func fileOwner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
