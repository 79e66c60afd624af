package localaws

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestUnzipSafe(t *testing.T) {
	t.Parallel()
	good := makeZip(t,
		zipFile{name: "bootstrap", data: []byte("#!/bin/sh\n"), mode: 0o755},
		zipFile{name: "static/", mode: fs.ModeDir | 0o755},
		zipFile{name: "static/a/b.txt", data: []byte("b"), mode: 0o644},
		zipFile{name: "./c.txt", data: []byte("c"), mode: 0o600},
	)
	dir := filepath.Join(t.TempDir(), "code")
	if err := unzipSafe(good, dir, 1<<20); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "bootstrap")); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("bootstrap: %v, %v (want executable)", fi, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "static", "a", "b.txt")); err != nil || string(b) != "b" {
		t.Errorf("nested file: %q, %v", b, err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("code dir mode: %v, %v (want 0700)", fi, err)
	}

	symlink := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		h := &zip.FileHeader{Name: "link"}
		h.SetMode(fs.ModeSymlink | 0o777)
		w, _ := zw.CreateHeader(h)
		_, _ = w.Write([]byte("/etc/passwd"))
		_ = zw.Close()
		return buf.Bytes()
	}()
	big := makeZip(t, zipFile{name: "big", data: make([]byte, 2<<20), mode: 0o644})
	for name, z := range map[string][]byte{
		"traversal":        makeZip(t, zipFile{name: "../../evil", data: []byte("x"), mode: 0o644}),
		"nested traversal": makeZip(t, zipFile{name: "a/../../evil", data: []byte("x"), mode: 0o644}),
		"absolute":         makeZip(t, zipFile{name: "/tmp/evil", data: []byte("x"), mode: 0o644}),
		"backslash":        makeZip(t, zipFile{name: "..\\evil", data: []byte("x"), mode: 0o644}),
		"symlink":          symlink,
		"too large":        big,
		"duplicate":        makeZip(t, zipFile{name: "a", data: []byte("1"), mode: 0o644}, zipFile{name: "a", data: []byte("2"), mode: 0o644}),
		"file then dir":    makeZip(t, zipFile{name: "a", data: []byte("1"), mode: 0o644}, zipFile{name: "a/b", data: []byte("2"), mode: 0o644}),
		"not a zip":        []byte("PK nope"),
	} {
		t.Run(name, func(t *testing.T) {
			err := unzipSafe(z, filepath.Join(t.TempDir(), "code"), 1<<20)
			if !errors.Is(err, errBadZip) {
				t.Errorf("err = %v, want errBadZip", err)
			}
		})
	}
}
