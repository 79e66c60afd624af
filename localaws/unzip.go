package localaws

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// maxZipEntries bounds the number of entries of a function zip.
const maxZipEntries = 100000

// errBadZip is wrapped by every rejection of a function's code.
var errBadZip = errors.New("invalid function code zip")

// unzipSafe extracts zipData into dir (created with mode 0700). It rejects
// entries that are absolute, contain "..", backslashes or NULs, symbolic links
// and other special files, duplicate names, and stops when more than maxTotal
// bytes would be written (the sizes in the zip headers are not trusted).
func unzipSafe(zipData []byte, dir string, maxTotal int64) error {
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		return fmt.Errorf("%w: %w", errBadZip, err)
	}
	if len(zr.File) > maxZipEntries {
		return fmt.Errorf("%w: more than %d entries", errBadZip, maxZipEntries)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create code dir: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("create code dir: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("open code dir: %w", err)
	}
	defer root.Close()

	seen := make(map[string]bool, len(zr.File))
	remaining := maxTotal
	for _, f := range zr.File {
		name, err := cleanZipName(f.Name)
		if err != nil {
			return err
		}
		if name == "" {
			continue // the root itself
		}
		if seen[name] {
			return fmt.Errorf("%w: duplicate entry %q", errBadZip, f.Name)
		}
		seen[name] = true
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := mkdirAllRoot(root, name); err != nil {
				return err
			}
		case mode.IsRegular():
			if err := mkdirAllRoot(root, path.Dir(name)); err != nil {
				return err
			}
			n, err := extractFile(root, f, name, mode.Perm(), remaining)
			if err != nil {
				return err
			}
			remaining -= n
		case mode&fs.ModeSymlink != 0:
			return fmt.Errorf("%w: symbolic link %q not allowed", errBadZip, f.Name)
		default:
			return fmt.Errorf("%w: special file %q (%s) not allowed", errBadZip, f.Name, mode.Type())
		}
	}
	return nil
}

// cleanZipName validates an entry name and returns it cleaned and relative
// ("" for the root).
func cleanZipName(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "\\\x00") {
		return "", fmt.Errorf("%w: bad entry name %q", errBadZip, name)
	}
	if strings.HasPrefix(name, "/") || filepath.IsAbs(name) || (len(name) > 1 && name[1] == ':') {
		return "", fmt.Errorf("%w: absolute entry name %q", errBadZip, name)
	}
	for _, part := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if part == ".." {
			return "", fmt.Errorf("%w: entry %q escapes the code dir", errBadZip, name)
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", nil
	}
	if !fs.ValidPath(clean) {
		return "", fmt.Errorf("%w: bad entry name %q", errBadZip, name)
	}
	return clean, nil
}

func mkdirAllRoot(root *os.Root, name string) error {
	if name == "." || name == "" {
		return nil
	}
	if fi, err := root.Lstat(name); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%w: %q is both a file and a directory", errBadZip, name)
		}
		return nil
	}
	if err := mkdirAllRoot(root, path.Dir(name)); err != nil {
		return err
	}
	if err := root.Mkdir(name, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", name, err)
	}
	return nil
}

func extractFile(root *os.Root, f *zip.File, name string, perm fs.FileMode, limit int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, fmt.Errorf("%w: open %q: %w", errBadZip, f.Name, err)
	}
	defer rc.Close()
	// Owner can always read and write; keep the archive's execute bits.
	perm = perm&0o755 | 0o600
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", name, err)
	}
	n, err := io.Copy(out, io.LimitReader(rc, limit+1))
	cerr := out.Close()
	if err != nil {
		return n, fmt.Errorf("%w: extract %q: %w", errBadZip, f.Name, err)
	}
	if n > limit {
		return n, fmt.Errorf("%w: unzipped code is larger than the limit", errBadZip)
	}
	if cerr != nil {
		return n, fmt.Errorf("extract %s: %w", name, cerr)
	}
	return n, nil
}

// codeDir is an unpacked code directory shared by the instances started from
// it; it is removed when the last reference is released.
type codeDir struct {
	path string
	refs atomic.Int32
}

func newCodeDir(p string) *codeDir {
	c := &codeDir{path: p}
	c.refs.Store(1)
	return c
}

func (c *codeDir) acquire() { c.refs.Add(1) }

func (c *codeDir) release() {
	if c.refs.Add(-1) == 0 {
		_ = os.RemoveAll(c.path)
	}
}
