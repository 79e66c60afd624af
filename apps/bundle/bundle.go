// Package bundle reads and checks app bundles: the zip files appsctl and the
// Cloud deployer take to deploy an app to AWS.
//
// A bundle holds, at its root, manifest.json; an optional static/ folder of
// assets; and one .zip (or .jar) per AWS Lambda function of the manifest,
// named after the function ("go-function.zip" for the function named
// "go-function"). Open and New reject unsafe or inconsistent bundles with an
// error naming the entry; see Limits for the size limits.
package bundle

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
)

// Size limits, defaults of Limits.
const (
	// MaxFunctionZipSize is the largest function archive (as uploaded): AWS
	// Lambda's direct-upload limit, 50 MB = 52,428,800 bytes.
	MaxFunctionZipSize = 50 << 20

	// MaxTotalSize is the largest total uncompressed size of all entries of
	// a bundle (512 MiB). It protects against zip bombs.
	MaxTotalSize = 512 << 20

	// MaxStaticFileSize is the largest static asset (32 MiB).
	MaxStaticFileSize = 32 << 20

	// MaxEntries is the largest number of entries in a bundle.
	MaxEntries = 10000
)

// ManifestName is the name of the manifest at the bundle's root.
const ManifestName = "manifest.json"

// Limits bounds what a bundle may hold. Sizes are checked from the zip
// headers before anything is read, and again while reading. Zero fields mean
// the default.
type Limits struct {
	MaxFunctionZipSize int64
	MaxTotalSize       int64
	MaxStaticFileSize  int64
	MaxEntries         int
}

// withDefaults replaces zero (or negative) fields with the defaults.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFunctionZipSize <= 0 {
		l.MaxFunctionZipSize = d.MaxFunctionZipSize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = d.MaxTotalSize
	}
	if l.MaxStaticFileSize <= 0 {
		l.MaxStaticFileSize = d.MaxStaticFileSize
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	return l
}

// DefaultLimits returns the documented limits.
func DefaultLimits() Limits {
	return Limits{
		MaxFunctionZipSize: MaxFunctionZipSize,
		MaxTotalSize:       MaxTotalSize,
		MaxStaticFileSize:  MaxStaticFileSize,
		MaxEntries:         MaxEntries,
	}
}

// Bundle is an opened, checked bundle.
type Bundle struct {
	// Manifest is the decoded and validated root manifest.json.
	Manifest *apps.Manifest
	// ManifestJSON is manifest.json as found in the bundle.
	ManifestJSON []byte
	// Static lists the static assets, sorted by name.
	Static []StaticFile
	// Functions are the AWS Lambda functions, in manifest order, each with
	// its archive.
	Functions []Function
	// Ignored lists the entries that are none of the above.
	Ignored []string

	zr     *zip.Reader
	limits Limits
	closer io.Closer
}

// StaticFile is a static asset of a bundle.
type StaticFile struct {
	// Name is the path under static/, e.g. "icon.png".
	Name string
	// Size is the uncompressed size.
	Size int64

	file *zip.File
}

// Function is an AWS Lambda function of the manifest and its archive.
type Function struct {
	apps.AWSLambdaFunction
	// Entry is the archive's name in the bundle, e.g. "go-function.zip".
	Entry string
	// Zip is the archive, as uploaded to AWS Lambda.
	Zip []byte
}

// Open opens and checks the bundle at path. Close it when done.
func Open(path string) (*Bundle, error) {
	return OpenWithLimits(path, DefaultLimits())
}

// OpenWithLimits is Open with other limits.
func OpenWithLimits(path string, limits Limits) (*Bundle, error) {
	return openFile(path, limits, true)
}

func openFile(path string, limits Limits, keepZips bool) (*Bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		_ = f.Close()
		return nil, apps.NewInvalidError("bundle %q is not a regular file", path)
	}
	b, err := newBundle(f, st.Size(), limits, keepZips)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	b.closer = f
	return b, nil
}

// New reads and checks a bundle of size bytes from r. r must stay readable
// while ReadStatic is used.
func New(r io.ReaderAt, size int64) (*Bundle, error) {
	return NewWithLimits(r, size, DefaultLimits())
}

// NewWithLimits is New with other limits.
func NewWithLimits(r io.ReaderAt, size int64, limits Limits) (*Bundle, error) {
	return newBundle(r, size, limits, true)
}

// Close closes the file opened by Open; it does nothing for New.
func (b *Bundle) Close() error {
	if b == nil || b.closer == nil {
		return nil
	}
	err := b.closer.Close()
	b.closer = nil
	return err
}

// ReadStatic returns the content of the static asset name (a path under
// static/).
func (b *Bundle) ReadStatic(name string) ([]byte, error) {
	for _, s := range b.Static {
		if s.Name == name {
			return readEntry(s.file, b.limits.MaxStaticFileSize)
		}
	}
	return nil, apps.NewInvalidError("no static file %q in the bundle", name)
}

// Function returns the function with the manifest name name.
func (b *Bundle) Function(name string) (Function, bool) {
	for _, f := range b.Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}

// LambdaName returns the AWS Lambda name of f (see apps.LambdaName).
func (b *Bundle) LambdaName(f Function) string {
	return apps.LambdaName(b.Manifest.AppID, b.Manifest.Version, f.Name)
}

// StaticKey returns the S3 key of the static asset s (see apps.StaticS3Key).
func (b *Bundle) StaticKey(s StaticFile) string {
	return apps.StaticS3Key(b.Manifest.AppID, b.Manifest.Version, s.Name)
}

// ManifestKey returns the S3 key of the manifest (see apps.ManifestS3Key).
func (b *Bundle) ManifestKey() string {
	return apps.ManifestS3Key(b.Manifest.AppID, b.Manifest.Version)
}

// archive is a function archive entry not yet matched to a function.
type archive struct {
	file *zip.File
	name string // entry name without the extension
}

func newBundle(r io.ReaderAt, size int64, limits Limits, keepZips bool) (*Bundle, error) {
	limits = limits.withDefaults()
	if size < 0 {
		return nil, apps.NewInvalidError("bundle size %d is negative", size)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, apps.NewInvalidError("bundle is not a valid zip archive: %v", err)
	}
	if len(zr.File) > limits.MaxEntries {
		return nil, apps.NewTooLargeError("bundle has %d entries, the limit is %d", len(zr.File), limits.MaxEntries)
	}

	b := &Bundle{zr: zr, limits: limits}
	var (
		manifestFile *zip.File
		nestedMan    []string
		archives     []archive
		total        int64
		seen         = map[string]string{}
		errs         []error
	)
	for _, f := range zr.File {
		name, isDir, err := checkEntry(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, ok := seen[name]; ok {
			errs = append(errs, apps.NewInvalidError("duplicate entry %q (also %q)", f.Name, prev))
			continue
		}
		seen[name] = f.Name
		if isDir {
			continue
		}

		if f.UncompressedSize64 > uint64(limits.MaxTotalSize) || total+int64(f.UncompressedSize64) > limits.MaxTotalSize {
			return nil, apps.NewTooLargeError("entry %q (%d bytes uncompressed) brings the bundle over the %d-byte total uncompressed limit",
				f.Name, f.UncompressedSize64, limits.MaxTotalSize)
		}
		total += int64(f.UncompressedSize64)

		lower := strings.ToLower(name)
		switch {
		case strings.HasPrefix(name, "__MACOSX/"):
			b.Ignored = append(b.Ignored, name)
		case name == ManifestName:
			if f.UncompressedSize64 > apps.MaxManifestSize {
				errs = append(errs, apps.NewTooLargeError("entry %q is %d bytes, the manifest limit is %d", f.Name, f.UncompressedSize64, apps.MaxManifestSize))
				continue
			}
			manifestFile = f
		case strings.HasPrefix(name, apps.StaticFolder+"/"):
			if f.UncompressedSize64 > uint64(limits.MaxStaticFileSize) {
				errs = append(errs, apps.NewTooLargeError("static file %q is %d bytes, the limit is %d", f.Name, f.UncompressedSize64, limits.MaxStaticFileSize))
				continue
			}
			b.Static = append(b.Static, StaticFile{
				Name: strings.TrimPrefix(name, apps.StaticFolder+"/"),
				Size: int64(f.UncompressedSize64),
				file: f,
			})
		case strings.HasSuffix(lower, ".zip") || strings.HasSuffix(lower, ".jar"):
			if f.UncompressedSize64 > uint64(limits.MaxFunctionZipSize) {
				what := "limit"
				if limits.MaxFunctionZipSize == MaxFunctionZipSize {
					what = "(50 MB) AWS Lambda direct-upload limit"
				}
				errs = append(errs, apps.NewTooLargeError("function archive %q is %d bytes, over the %d-byte %s",
					f.Name, f.UncompressedSize64, limits.MaxFunctionZipSize, what))
				continue
			}
			archives = append(archives, archive{file: f, name: strings.TrimSuffix(name, path.Ext(name))})
		default:
			if path.Base(name) == ManifestName {
				nestedMan = append(nestedMan, name)
			}
			b.Ignored = append(b.Ignored, name)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	// The manifest.
	if manifestFile == nil {
		if len(nestedMan) > 0 {
			return nil, apps.NewInvalidError("bundle has no root %s (found %q: the manifest must be at the bundle root)", ManifestName, nestedMan[0])
		}
		return nil, apps.NewInvalidError("bundle has no %s", ManifestName)
	}
	data, err := readEntry(manifestFile, apps.MaxManifestSize)
	if err != nil {
		return nil, err
	}
	m, err := apps.DecodeManifest(data)
	if err != nil {
		return nil, apps.NewInvalidError("bundle %s: %w", ManifestName, err)
	}
	b.Manifest, b.ManifestJSON = m, data

	// Static files: verify their content, and that their S3 keys differ.
	sort.Slice(b.Static, func(i, j int) bool { return b.Static[i].Name < b.Static[j].Name })
	keys := map[string]string{}
	for _, s := range b.Static {
		key := apps.StaticS3Key(m.AppID, m.Version, s.Name)
		if prev, ok := keys[key]; ok {
			errs = append(errs, apps.NewInvalidError("static files %q and %q both map to the S3 key %q", prev, s.Name, key))
		}
		keys[key] = s.Name
		if err := verifyEntry(s.file, limits.MaxStaticFileSize); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	b.Functions, err = matchFunctions(m, archives, limits, keepZips)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// matchFunctions pairs each manifest function with exactly one archive
// (named after the function, at the root or in a folder) and reads it.
func matchFunctions(m *apps.Manifest, archives []archive, limits Limits, keepZips bool) ([]Function, error) {
	var manifestFns []apps.AWSLambdaFunction
	if m.AWSLambda != nil {
		manifestFns = m.AWSLambda.Functions
	}
	byName := map[string]int{}
	for i, f := range manifestFns {
		byName[f.Name] = i
	}
	matched := make([]*zip.File, len(manifestFns))
	var errs []error
	for _, a := range archives {
		i, ok := byName[a.name]
		if !ok {
			i, ok = byName[path.Base(a.name)]
		}
		if !ok {
			errs = append(errs, apps.NewInvalidError("function archive %q matches no aws_lambda function of the manifest", a.file.Name))
			continue
		}
		if matched[i] != nil {
			errs = append(errs, apps.NewInvalidError("function %q has two archives: %q and %q", manifestFns[i].Name, matched[i].Name, a.file.Name))
			continue
		}
		matched[i] = a.file
	}
	for i, f := range matched {
		if f == nil {
			errs = append(errs, apps.NewInvalidError("manifest function %q has no archive in the bundle (expected %q)", manifestFns[i].Name, manifestFns[i].Name+".zip"))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	out := make([]Function, 0, len(manifestFns))
	for i, f := range matched {
		data, err := readEntry(f, limits.MaxFunctionZipSize)
		if err != nil {
			return nil, err
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
			return nil, apps.NewInvalidError("function archive %q is not a valid zip archive: %v", f.Name, err)
		}
		if len(zr.File) == 0 {
			return nil, apps.NewInvalidError("function archive %q is empty", f.Name)
		}
		fn := Function{AWSLambdaFunction: manifestFns[i], Entry: f.Name}
		if keepZips {
			fn.Zip = data
		}
		out = append(out, fn)
	}
	return out, nil
}

// checkEntryName checks an entry name: not empty, relative, no '..'
// segments, NUL bytes or backslashes. It returns the cleaned name.
func checkEntryName(raw string) (string, error) {
	switch {
	case raw == "":
		return "", apps.NewInvalidError("entry with an empty name")
	case strings.ContainsRune(raw, 0):
		return "", apps.NewInvalidError("entry %q: name contains a NUL byte", raw)
	case strings.Contains(raw, `\`):
		return "", apps.NewInvalidError("entry %q: name contains a backslash", raw)
	case strings.HasPrefix(raw, "/"):
		return "", apps.NewInvalidError("entry %q: absolute path", raw)
	case len(raw) >= 2 && raw[1] == ':' && (raw[0]|0x20 >= 'a' && raw[0]|0x20 <= 'z'):
		return "", apps.NewInvalidError("entry %q: absolute path (drive letter)", raw)
	}
	for _, seg := range strings.Split(raw, "/") {
		if seg == ".." {
			return "", apps.NewInvalidError("entry %q: path contains '..'", raw)
		}
	}
	name := path.Clean(raw)
	if name == "." {
		return "", apps.NewInvalidError("entry %q names no file", raw)
	}
	return name, nil
}

// checkEntry checks a bundle entry's name and type (no symlinks, devices,
// encryption); it returns the cleaned name.
func checkEntry(f *zip.File) (name string, isDir bool, err error) {
	name, err = checkEntryName(f.Name)
	if err != nil {
		return "", false, err
	}
	if f.Flags&0x1 != 0 {
		return "", false, apps.NewInvalidError("entry %q is encrypted", f.Name)
	}
	mode := f.Mode()
	switch {
	case mode&fs.ModeSymlink != 0:
		return "", false, apps.NewInvalidError("entry %q is a symlink", f.Name)
	case mode&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeIrregular) != 0:
		return "", false, apps.NewInvalidError("entry %q is not a regular file (mode %s)", f.Name, mode)
	}
	isDir = strings.HasSuffix(f.Name, "/") || mode.IsDir()
	if isDir && f.UncompressedSize64 > 0 {
		return "", false, apps.NewInvalidError("directory entry %q has content", f.Name)
	}
	return name, isDir, nil
}

// readEntry decompresses an entry, reading at most limit bytes whatever its
// header says.
func readEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, apps.NewInvalidError("entry %q: %v", f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, readError(f, err)
	}
	if int64(len(data)) > limit {
		return nil, apps.NewTooLargeError("entry %q: decompresses to more than %d bytes (its header says %d)", f.Name, limit, f.UncompressedSize64)
	}
	if uint64(len(data)) != f.UncompressedSize64 {
		return nil, apps.NewInvalidError("entry %q: decompresses to %d bytes, its header says %d", f.Name, len(data), f.UncompressedSize64)
	}
	return data, nil
}

// verifyEntry decompresses an entry without keeping it, checking its size
// and checksum.
func verifyEntry(f *zip.File, limit int64) error {
	rc, err := f.Open()
	if err != nil {
		return apps.NewInvalidError("entry %q: %v", f.Name, err)
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(rc, limit+1))
	if err != nil {
		return readError(f, err)
	}
	if n > limit {
		return apps.NewTooLargeError("entry %q: decompresses to more than %d bytes (its header says %d)", f.Name, limit, f.UncompressedSize64)
	}
	if uint64(n) != f.UncompressedSize64 {
		return apps.NewInvalidError("entry %q: decompresses to %d bytes, its header says %d", f.Name, n, f.UncompressedSize64)
	}
	return nil
}

func readError(f *zip.File, err error) error {
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) {
		return apps.NewInvalidError("entry %q: its data does not match its header (%d bytes uncompressed, CRC-32 %08x): %v",
			f.Name, f.UncompressedSize64, f.CRC32, err)
	}
	return apps.NewInvalidError("entry %q: %v", f.Name, err)
}
