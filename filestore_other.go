//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package kyc

import (
	"errors"
	"os"
	"runtime"
)

// fileLocking: FileStore needs flock, which this system does not offer through package syscall.
const fileLocking = false

// errFileStoreUnsupported is what NewFileStore returns here.
var errFileStoreUnsupported = errors.New("kyc: FileStore is not supported on " + runtime.GOOS +
	": it needs flock (Linux, the BSDs, macOS); use a MemoryStore per process or a shared store such as redisstore")

func tryLock(*os.File) (bool, error) { return false, errFileStoreUnsupported }
