//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package kyc

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
)

// fileLocking: FileStore needs flock, which this system does not offer through package syscall.
const fileLocking = false

// errFileStoreUnsupported is what NewFileStore returns here.
var errFileStoreUnsupported = errors.New("kyc: FileStore is not supported on " + runtime.GOOS +
	": it needs flock (Linux, the BSDs, macOS); use a MemoryStore per process or a shared store such as redisstore")

func tryLock(*os.File) (bool, error) { return false, errFileStoreUnsupported }

// What FileStore checks here: nothing, since NewFileStore refuses to run (see above). The
// helpers below exist so that the package builds: this system has no O_NOFOLLOW and no file
// owners in package syscall, so a port would have to check links and owners (ACLs on Windows)
// by other means before FileStore could trust its files.

// openNoFollow: no such flag here.
const openNoFollow = 0

// isSymlinkRefusal: never, with no openNoFollow.
func isSymlinkRefusal(error) bool { return false }

// fileOwner: unknown here; only permission bits could be checked.
func fileOwner(fs.FileInfo) (int, bool) { return 0, false }
