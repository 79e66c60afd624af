package bundle

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
)

// AWS Lambda runtimes. AWS no longer runs go1.x; Go functions run on an OS
// runtime where the executable must be named "bootstrap".
const (
	RuntimeGo1x           = "go1.x"
	RuntimeProvidedAL2023 = "provided.al2023"
	BootstrapName         = "bootstrap"

	// MaxFunctionUnzippedSize is AWS Lambda's limit on the unzipped size of
	// a function (250 MB = 262,144,000 bytes).
	MaxFunctionUnzippedSize = 250 * 1000 * 1000
)

// ErrNoRuntimeAPI: the handler binary has no Lambda Runtime API client (its
// aws-lambda-go is too old to run outside go1.x); rebuild it with a current
// aws-lambda-go.
var ErrNoRuntimeAPI = errors.New("handler binary does not support the AWS Lambda Runtime API")

// IsGo1x reports whether runtime is the retired go1.x runtime.
func IsGo1x(runtime string) bool { return runtime == RuntimeGo1x }

// ConvertGo1x returns fn made runnable on provided.al2023: in its archive the
// handler binary becomes "bootstrap" (mode 0755), Runtime becomes
// provided.al2023 and Handler "bootstrap". fn must use go1.x. The caller
// decides whether to convert (e.g. when deploying an old bundle).
func ConvertGo1x(fn Function) (Function, error) {
	if !IsGo1x(fn.Runtime) {
		return Function{}, apps.NewInvalidError("function %q uses runtime %q, not %s", fn.Name, fn.Runtime, RuntimeGo1x)
	}
	data, err := RewriteGo1xZip(fn.Zip, fn.Handler)
	if err != nil {
		return Function{}, apps.NewInvalidError("function %q: %w", fn.Name, err)
	}
	out := fn
	out.Zip = data
	out.Runtime = RuntimeProvidedAL2023
	out.Handler = BootstrapName
	return out, nil
}

// RewriteGo1xZip rewrites a go1.x function archive for provided.al2023: the
// entry named handler is renamed "bootstrap" with mode 0755; other entries
// are copied unchanged (without recompression). The handler must be a
// 64-bit x86-64 Linux executable with Lambda Runtime API support.
func RewriteGo1xZip(zipData []byte, handler string) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, apps.NewInvalidError("function archive is not a valid zip archive: %v", err)
	}
	want := path.Clean(strings.TrimPrefix(handler, "./"))
	if handler == "" || want == "." || strings.HasPrefix(want, "../") || strings.HasPrefix(want, "/") {
		return nil, apps.NewInvalidError("handler %q is not a path in the archive", handler)
	}

	var (
		handlerFile *zip.File
		total       uint64
	)
	for _, f := range zr.File {
		// Function archives may hold symlinks (AWS keeps them); names must
		// still be safe.
		name, err := checkEntryName(f.Name)
		if err != nil {
			return nil, err
		}
		isDir := strings.HasSuffix(f.Name, "/") || f.Mode().IsDir()
		total += f.UncompressedSize64
		if total > MaxFunctionUnzippedSize {
			return nil, apps.NewTooLargeError("function archive unzips to more than %d bytes (AWS Lambda limit)", MaxFunctionUnzippedSize)
		}
		switch {
		case isDir:
		case name == want:
			handlerFile = f
		case name == BootstrapName:
			return nil, apps.NewInvalidError("archive has both a %q entry and the handler %q", BootstrapName, handler)
		}
	}
	if handlerFile == nil {
		return nil, apps.NewInvalidError("handler %q not found in the function archive", handler)
	}
	bin, err := readEntry(handlerFile, MaxFunctionUnzippedSize)
	if err != nil {
		return nil, err
	}
	if err := checkLinuxAMD64(bin); err != nil {
		return nil, apps.NewInvalidError("handler %q: %w", handler, err)
	}
	if !bytes.Contains(bin, []byte("AWS_LAMBDA_RUNTIME_API")) {
		return nil, apps.NewInvalidError("handler %q: %w; rebuild it with a current aws-lambda-go", handler, ErrNoRuntimeAPI)
	}

	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f != handlerFile {
			if err := zw.Copy(f); err != nil {
				return nil, apps.NewInvalidError("copying entry %q: %v", f.Name, err)
			}
			continue
		}
		hdr := f.FileHeader
		hdr.Name = BootstrapName
		hdr.SetMode(0o755)
		w, err := zw.CreateRaw(&hdr)
		if err != nil {
			return nil, err
		}
		raw, err := f.OpenRaw()
		if err != nil {
			return nil, apps.NewInvalidError("entry %q: %v", f.Name, err)
		}
		if _, err := io.Copy(w, raw); err != nil {
			return nil, apps.NewInvalidError("entry %q: %v", f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// checkLinuxAMD64 checks the ELF header of a 64-bit little-endian x86-64
// executable (what go1.x ran).
func checkLinuxAMD64(bin []byte) error {
	const emX8664 = 62
	if len(bin) < 20 || string(bin[:4]) != "\x7fELF" {
		return errors.New("not a Linux (ELF) executable")
	}
	if bin[4] != 2 || bin[5] != 1 {
		return errors.New("not a 64-bit little-endian ELF executable")
	}
	if m := binary.LittleEndian.Uint16(bin[18:20]); m != emX8664 {
		return errors.New("not an x86-64 executable (go1.x functions ran on x86_64)")
	}
	return nil
}
