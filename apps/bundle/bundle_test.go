package bundle_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/apps/bundle"
)

var update = flag.Bool("update", false, "rewrite testdata/deploydata.golden.json")

const longFunction = "function-with-very-very-very-very-very-very-very-long-name"

// servicenowBundle rebuilds upstream's test bundle (tests/test-bundle.zip):
// the v0.x servicenow manifest, 4 functions, 5 static files.
func servicenowBundle(t *testing.T) []byte {
	manifest, err := os.ReadFile("../testdata/manifest_v0_aws_lambda.json")
	if err != nil {
		t.Fatal(err)
	}
	goZip := functionZip(t, "mattermost-app-servicenow", lambdaBinary(t))
	return makeZip(t,
		entry{name: "manifest.json", data: manifest},
		entry{name: "function1.zip", data: goZip, method: zip.Store},
		entry{name: "function2.zip", data: tinyFunctionZip(t)},
		entry{name: "function with spaces.zip", data: goZip, method: zip.Store},
		entry{name: longFunction + ".zip", data: goZip, method: zip.Store},
		entry{name: "static/"},
		file("static/photo.png", "\x89PNG..."),
		file("static/some.json", `{"a":1}`),
		file("static/static file with spaces.txt", "spaces"),
		file("static/static-file-with-very-very-very-very-very-very-very-very-long-name.txt", "long"),
		file("static/text.txt", "text"),
		file("README.md", "# servicenow"),
	)
}

func TestProvisionDataUpstreamVectors(t *testing.T) {
	data := servicenowBundle(t)
	p := writeTemp(t, "bundle.zip", data)
	pd, err := bundle.GetProvisionDataFromFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if pd.Manifest.AppID != "com.mattermost.servicenow" || len(pd.Manifest.AWSLambda.Functions) != 4 {
		t.Fatalf("manifest %+v", pd.Manifest)
	}
	if pd.ManifestKey != "manifests/com.mattermost.servicenow_0.1.0.json" {
		t.Errorf("manifest_key %q", pd.ManifestKey)
	}
	wantFns := map[string]bundle.FunctionData{
		"function1":            {"com-mattermost-servicenow_0-1-0_function1", "mattermost-app-servicenow", "go1.x"},
		"function2":            {"com-mattermost-servicenow_0-1-0_function2", "index.handler", "nodejs14.x"},
		"function with spaces": {"com-mattermost-servicenow_0-1-0_function-with-spaces", "mattermost-app-servicenow", "go1.x"},
		// Upstream: "com.mattermost.servicenow_0.1.0_95f5..." (dots, rejected by AWS).
		longFunction: {"com-mattermost-servicenow_0-1-0_95f51579baba92ea2a0a3ad98c24fcbc", "mattermost-app-servicenow", "go1.x"},
	}
	if !reflect.DeepEqual(pd.LambdaFunctions, wantFns) {
		t.Errorf("lambda_functions:\n got %+v\nwant %+v", pd.LambdaFunctions, wantFns)
	}
	wantStatic := map[string]bundle.AssetData{
		"photo.png":                   {"static/com.mattermost.servicenow_0.1.0_app/photo.png"},
		"some.json":                   {"static/com.mattermost.servicenow_0.1.0_app/some.json"},
		"static file with spaces.txt": {"static/com.mattermost.servicenow_0.1.0_app/static-file-with-spaces.txt"},
		"static-file-with-very-very-very-very-very-very-very-very-long-name.txt": {
			"static/com.mattermost.servicenow_0.1.0_app/static-file-with-very-very-very-very-very-very-very-very-long-name.txt"},
		"text.txt": {"static/com.mattermost.servicenow_0.1.0_app/text.txt"},
	}
	if !reflect.DeepEqual(pd.StaticFiles, wantStatic) {
		t.Errorf("static_files:\n got %+v\nwant %+v", pd.StaticFiles, wantStatic)
	}

	// The JSON: sorted keys, tab-indented (golden file).
	got, err := pd.JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "deploydata.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("deploy data JSON differs from %s:\n%s", golden, got)
	}

	// The reader-based variant gives the same.
	pd2, err := bundle.GetProvisionData(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if got2, _ := pd2.JSON(); !bytes.Equal(got, got2) {
		t.Error("GetProvisionData differs from GetProvisionDataFromFile")
	}
}

func TestOpen(t *testing.T) {
	data := servicenowBundle(t)
	b, err := bundle.Open(writeTemp(t, "bundle.zip", data))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	if len(b.Functions) != 4 || b.Functions[0].Name != "function1" || b.Functions[0].Entry != "function1.zip" ||
		b.Functions[3].Name != longFunction {
		t.Fatalf("functions %+v", b.Functions)
	}
	goZip := functionZip(t, "mattermost-app-servicenow", lambdaBinary(t))
	if !bytes.Equal(b.Functions[0].Zip, goZip) {
		t.Error("function archive bytes differ")
	}
	if fn, ok := b.Function("function2"); !ok || fn.Handler != "index.handler" || b.LambdaName(fn) != "com-mattermost-servicenow_0-1-0_function2" {
		t.Errorf("Function(function2) = %+v", fn)
	}
	var names []string
	for _, s := range b.Static {
		names = append(names, s.Name)
	}
	if want := []string{"photo.png", "some.json", "static file with spaces.txt",
		"static-file-with-very-very-very-very-very-very-very-very-long-name.txt", "text.txt"}; !reflect.DeepEqual(names, want) {
		t.Errorf("static %v", names)
	}
	if content, err := b.ReadStatic("static file with spaces.txt"); err != nil || string(content) != "spaces" {
		t.Errorf("ReadStatic: %q %v", content, err)
	}
	if _, err := b.ReadStatic("nope"); err == nil {
		t.Error("ReadStatic of a missing file")
	}
	if !reflect.DeepEqual(b.Ignored, []string{"README.md"}) {
		t.Errorf("ignored %v", b.Ignored)
	}
	var raw map[string]any
	if err := json.Unmarshal(b.ManifestJSON, &raw); err != nil || raw["app_type"] != "aws_lambda" {
		t.Errorf("ManifestJSON is not the bundle's file: %s", b.ManifestJSON)
	}
	if err := b.Close(); err != nil {
		t.Error(err)
	}
}

func TestOpenV1BundleWithJarAndFolders(t *testing.T) {
	manifest := `{"app_id":"hello-serverless","version":"v1.2.0","display_name":"Hello","homepage_url":"https://example.com",
		"aws_lambda":{"functions":[{"path":"/","name":"go-function","handler":"hello","runtime":"go1.x"},
		{"path":"/java","name":"java-function","handler":"a.B::handle","runtime":"java11"}]}}`
	data := makeZip(t,
		file("manifest.json", manifest),
		entry{name: "functions/go-function.zip", data: tinyFunctionZip(t)},
		entry{name: "java-function.JAR", data: tinyFunctionZip(t)},
		file("static/img/icon.png", "png"),
		file("__MACOSX/._go-function.zip", "junk"),
	)
	b, err := bundle.New(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Functions) != 2 || b.Functions[0].Entry != "functions/go-function.zip" || b.Functions[1].Entry != "java-function.JAR" {
		t.Errorf("functions %+v", b.Functions)
	}
	if b.StaticKey(b.Static[0]) != "static/hello-serverless_v1.2.0_app/img/icon.png" {
		t.Errorf("static key %q", b.StaticKey(b.Static[0]))
	}
}

// rawEntry writes an entry with the given (possibly lying) header sizes.
type rawEntry struct {
	name             string
	compressed       []byte
	method           uint16
	uncompressedSize uint64
	crc              uint32
}

func makeRawZip(t *testing.T, entries ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, x := range entries {
		switch e := x.(type) {
		case entry:
			h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
			h.SetMode(0o644)
			if e.mode != 0 {
				h.SetMode(e.mode)
			}
			w, err := zw.CreateHeader(h)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = w.Write(e.data)
		case rawEntry:
			h := &zip.FileHeader{Name: e.name, Method: e.method, CompressedSize64: uint64(len(e.compressed)),
				UncompressedSize64: e.uncompressedSize, CRC32: e.crc}
			h.SetMode(0o644)
			w, err := zw.CreateRaw(h)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = w.Write(e.compressed)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// deflated compresses data.
func deflated(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("x")
	_, _ = w.Write(data)
	_ = zw.Close()
	zr, _ := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	rc, err := zr.File[0].OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, zr.File[0].CompressedSize64)
	if _, err := rc.Read(out); err != nil && len(out) > 0 {
		t.Fatal(err)
	}
	return out
}

const okManifest = `{"app_id":"evil","version":"1","display_name":"Evil","homepage_url":"https://example.com",
	"aws_lambda":{"functions":[{"path":"/","name":"f","handler":"h","runtime":"nodejs18.x"}]}}`

func TestMaliciousBundles(t *testing.T) {
	fz := tinyFunctionZip(t)
	base := []entry{file("manifest.json", okManifest), {name: "f.zip", data: fz}}
	with := func(extra ...entry) []byte { return makeZip(t, append(append([]entry{}, base...), extra...)...) }
	zeros := make([]byte, 2<<20)
	bombData := deflated(t, zeros)

	for name, tc := range map[string]struct {
		data     []byte
		limits   bundle.Limits
		want     string
		tooLarge bool
	}{
		"not a zip":          {data: []byte("hello"), want: "not a valid zip archive"},
		"empty":              {data: nil, want: "not a valid zip archive"},
		"truncated":          {data: with()[:100], want: "not a valid zip archive"},
		"traversal":          {data: with(file("../evil.txt", "x")), want: `"../evil.txt": path contains '..'`},
		"static traversal":   {data: with(file("static/../../evil.txt", "x")), want: `"static/../../evil.txt"`},
		"absolute":           {data: with(file("/etc/cron.d/evil", "x")), want: `"/etc/cron.d/evil": absolute path`},
		"drive letter":       {data: with(file("C:/evil", "x")), want: `"C:/evil": absolute path`},
		"backslash":          {data: with(file(`..\evil`, "x")), want: "backslash"},
		"NUL":                {data: with(file("static/a\x00b", "x")), want: "NUL"},
		"symlink":            {data: with(entry{name: "static/passwd", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}), want: `"static/passwd" is a symlink`},
		"named pipe":         {data: with(entry{name: "static/fifo", mode: fs.ModeNamedPipe | 0o644}), want: `"static/fifo" is not a regular file`},
		"duplicate manifest": {data: with(file("manifest.json", okManifest)), want: `duplicate entry "manifest.json"`},
		"duplicate cleaned":  {data: with(file("static/a.txt", "1"), file("static//a.txt", "2")), want: `duplicate entry "static//a.txt"`},
		"duplicate function": {data: with(entry{name: "f.zip", data: fz}), want: `duplicate entry "f.zip"`},
		"no manifest":        {data: makeZip(t, entry{name: "f.zip", data: fz}), want: "no manifest.json"},
		"nested manifest":    {data: makeZip(t, file("app/manifest.json", okManifest)), want: `found "app/manifest.json"`},
		"invalid manifest":   {data: makeZip(t, file("manifest.json", `{"app_id":"x"}`)), want: `app_id "x"`},
		"manifest fn without zip": {data: makeZip(t, file("manifest.json", okManifest)),
			want: `manifest function "f" has no archive in the bundle (expected "f.zip")`},
		"zip without manifest fn": {data: with(entry{name: "g.zip", data: fz}), want: `function archive "g.zip" matches no aws_lambda function`},
		"two zips for one fn":     {data: with(entry{name: "dir/f.zip", data: fz}), want: `function "f" has two archives: "f.zip" and "dir/f.zip"`},
		"function not a zip":      {data: makeZip(t, file("manifest.json", okManifest), file("f.zip", "not a zip")), want: `function archive "f.zip" is not a valid zip archive`},
		"static key collision":    {data: with(file("static/a b.txt", "1"), file("static/a-b.txt", "2")), want: `both map to the S3 key "static/evil_1_app/a-b.txt"`},
		"encrypted": {data: func() []byte {
			d := with(file("static/secret.txt", "s"))
			return setFlag(t, d, "static/secret.txt", 0x1)
		}(), want: `"static/secret.txt" is encrypted`},
		"unknown method": {data: makeRawZip(t, entry{name: "manifest.json", data: []byte(okManifest)}, entry{name: "f.zip", data: fz},
			rawEntry{name: "static/x", compressed: []byte("xx"), method: 99, uncompressedSize: 2}), want: `entry "static/x"`},

		// Zip bombs and oversize entries.
		"bomb over total (headers)": {data: with(entry{name: "static/zeros", data: zeros}), limits: bundle.Limits{MaxTotalSize: 1 << 20},
			want: `entry "static/zeros" (2097152 bytes uncompressed) brings the bundle over the 1048576-byte total uncompressed limit`, tooLarge: true},
		"bomb header claims 600 MiB": {data: makeRawZip(t, entry{name: "manifest.json", data: []byte(okManifest)},
			rawEntry{name: "static/bomb", compressed: bombData, method: zip.Deflate, uncompressedSize: 600 << 20}),
			want: `entry "static/bomb" (629145600 bytes uncompressed) brings the bundle over the 536870912-byte total`, tooLarge: true},
		"bomb lying header": {data: makeRawZip(t, entry{name: "manifest.json", data: []byte(okManifest)}, entry{name: "f.zip", data: fz},
			rawEntry{name: "static/bomb", compressed: bombData, method: zip.Deflate, uncompressedSize: 1000, crc: crc32.ChecksumIEEE(zeros)}),
			want: `entry "static/bomb": its data does not match its header (1000 bytes uncompressed`},
		"static over limit": {data: with(entry{name: "static/big", data: zeros}), limits: bundle.Limits{MaxStaticFileSize: 1 << 20},
			want: `static file "static/big" is 2097152 bytes, the limit is 1048576`, tooLarge: true},
		"function over limit (small)": {data: makeZip(t, file("manifest.json", okManifest), entry{name: "f.zip", data: append(fz, zeros...)}),
			limits: bundle.Limits{MaxFunctionZipSize: 1 << 20}, want: `function archive "f.zip" is`, tooLarge: true},
		"function header claims 60 MB": {data: makeRawZip(t, entry{name: "manifest.json", data: []byte(okManifest)},
			rawEntry{name: "f.zip", compressed: bombData, method: zip.Deflate, uncompressedSize: 60_000_000}),
			want: `function archive "f.zip" is 60000000 bytes, over the 52428800-byte (50 MB) AWS Lambda direct-upload limit`, tooLarge: true},
		"function lying header": {data: makeRawZip(t, entry{name: "manifest.json", data: []byte(okManifest)},
			rawEntry{name: "f.zip", compressed: bombData, method: zip.Deflate, uncompressedSize: 100, crc: 0}),
			want: `entry "f.zip": its data does not match its header`},
		"bad checksum": {data: makeRawZip(t, entry{name: "manifest.json", data: []byte(okManifest)}, entry{name: "f.zip", data: fz},
			rawEntry{name: "static/z", compressed: bombData, method: zip.Deflate, uncompressedSize: uint64(len(zeros)), crc: 1234}),
			want: `entry "static/z": its data does not match its header`},
		"manifest over 1 MiB": {data: makeZip(t, file("manifest.json", strings.Repeat(" ", apps.MaxManifestSize+1))),
			want: `entry "manifest.json" is 1048577 bytes, the manifest limit is 1048576`, tooLarge: true},
		"too many entries": {data: with(file("a", ""), file("b", "")), limits: bundle.Limits{MaxEntries: 3},
			want: "bundle has 4 entries, the limit is 3", tooLarge: true},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := bundle.NewWithLimits(bytes.NewReader(tc.data), int64(len(tc.data)), tc.limits)
			if err == nil {
				t.Fatalf("accepted: %+v", b)
			}
			checkErr(t, err, tc.want, tc.tooLarge)
		})
	}
}

// setFlag sets a general-purpose flag bit of an entry, in both headers.
func setFlag(t *testing.T, data []byte, name string, flag uint16) []byte {
	t.Helper()
	out := append([]byte{}, data...)
	n := 0
	for _, sig := range []struct {
		magic      string
		flagOff    int
		nameLenOff int
		nameOff    int
	}{{"PK\x03\x04", 6, 26, 30}, {"PK\x01\x02", 8, 28, 46}} {
		for i := 0; i+sig.nameOff <= len(out); i++ {
			if string(out[i:i+4]) != sig.magic {
				continue
			}
			l := int(out[i+sig.nameLenOff]) | int(out[i+sig.nameLenOff+1])<<8
			if i+sig.nameOff+l <= len(out) && string(out[i+sig.nameOff:i+sig.nameOff+l]) == name {
				out[i+sig.flagOff] |= byte(flag)
				n++
			}
		}
	}
	if n != 2 {
		t.Fatalf("setFlag patched %d headers", n)
	}
	return out
}

// TestFunctionOver50MB: an honest 51 MiB function archive is refused under the
// default limits, naming its size.
func TestFunctionOver50MB(t *testing.T) {
	big := make([]byte, 51<<20)
	data := makeZip(t, file("manifest.json", okManifest), entry{name: "f.zip", data: big})
	_, err := bundle.New(bytes.NewReader(data), int64(len(data)))
	checkErr(t, err, `function archive "f.zip" is 53477376 bytes, over the 52428800-byte (50 MB)`, true)
}

func TestOpenErrors(t *testing.T) {
	if _, err := bundle.Open(filepath.Join(t.TempDir(), "missing.zip")); err == nil {
		t.Error("missing file")
	}
	if _, err := bundle.Open(t.TempDir()); err == nil {
		t.Error("directory")
	}
	if _, err := bundle.GetProvisionDataFromFile(writeTemp(t, "x.zip", []byte("nope"))); err == nil {
		t.Error("not a zip")
	}
	if _, err := bundle.New(bytes.NewReader(nil), -1); err == nil {
		t.Error("negative size")
	}
}
