package bundle_test

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps/bundle"
)

// FuzzOpen: opening any input never panics; an accepted bundle has a valid
// manifest, readable static files and deploy data.
func FuzzOpen(f *testing.F) {
	fz := tinyFunctionZip(f)
	f.Add(makeZip(f, file("manifest.json", okManifest), entry{name: "f.zip", data: fz}, file("static/a b.txt", "x")))
	f.Add(makeZip(f, file("manifest.json", okManifest), entry{name: "f.zip", data: fz, method: zip.Store}))
	f.Add(makeZip(f, file("manifest.json", okManifest), entry{name: "f.zip", data: fz}, file("../x", "")))
	f.Add(makeZip(f, file("manifest.json", okManifest), entry{name: "static/l", data: []byte("/etc"), mode: fs.ModeSymlink | 0o777}))
	f.Add(makeZip(f, file("manifest.json", `{"app_id":"abc","app_type":"http","root_url":"http://x","display_name":"A","homepage_url":"http://a"}`)))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := bundle.NewWithLimits(bytes.NewReader(data), int64(len(data)), bundle.Limits{MaxTotalSize: 64 << 20})
		if err != nil {
			return
		}
		if b.Manifest == nil || b.Manifest.Validate() != nil {
			t.Fatal("accepted a bundle without a valid manifest")
		}
		for _, s := range b.Static {
			if _, err := b.ReadStatic(s.Name); err != nil {
				t.Fatalf("ReadStatic(%q): %v", s.Name, err)
			}
		}
		if _, err := b.ProvisionData().JSON(); err != nil {
			t.Fatal(err)
		}
		for _, fn := range b.Functions {
			if bundle.IsGo1x(fn.Runtime) {
				_, _ = bundle.ConvertGo1x(fn)
			}
		}
	})
}
