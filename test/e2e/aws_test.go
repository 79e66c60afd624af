package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/test/awsworld"
	"github.com/mattermost-community/apps-plugin/test/mmhost"
	"github.com/mattermost-community/apps-plugin/test/s3test"
	"github.com/mattermost-community/apps-plugin/test/testbundle"
)

// startAWS starts MinIO (skipping without it) and the local Lambda.
func startAWS(t *testing.T) *awsworld.World {
	t.Helper()
	w, err := awsworld.New(context.Background(), s3test.StartMinIO(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

// bundleWithListing unpacks the plugin bundle and replaces its
// assets/manifests.json, as an operator shipping a listing would.
func bundleWithListing(t *testing.T, listing string) string {
	t.Helper()
	dir, err := mmhost.ExtractBundle(bundlePath(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "assets", "manifests.json"), []byte(listing), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func installBundle(t *testing.T, h *mmhost.Host, bundle string) {
	t.Helper()
	if _, err := h.InstallPlugin(bundle); err != nil {
		t.Fatalf("install the plugin: %v", err)
	}
}

func manifestJSON(id, version string) string {
	return fmt.Sprintf(`{"app_id":%q,"version":%q,"display_name":"App %s","homepage_url":"https://example.com","http":{"root_url":"https://example.com/%s"}}`, id, version, id, id)
}

func TestRegistrySyncFromS3(t *testing.T) {
	aws := startAWS(t)
	ctx := context.Background()
	for id, body := range map[string]string{
		"good1":   manifestJSON("good1", "1.0.0"),
		"good2":   manifestJSON("good2", "0.2.0"),
		"invalid": `{"app_id":"invalid","version":"1.0.0"}`,
	} {
		version := "1.0.0"
		if id == "good2" {
			version = "0.2.0"
		}
		if err := aws.PutManifest(ctx, id, version, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	w := newWorld(t, mmhost.Options{PluginEnv: aws.PluginEnv()}, func(h *mmhost.Host) {
		installBundle(t, h, bundleWithListing(t, `{"good1":"1.0.0","good2":"s3:0.2.0","invalid":"1.0.0","missing":"3.0.0"}`))
	})
	out := w.run(t, w.admin, "/apps list")
	mustContain(t, "list", out, "App good1", "App good2", "Listed")
	if strings.Contains(out, "invalid") || strings.Contains(out, "missing") {
		t.Fatalf("bad entries listed: %s", out)
	}
	info := w.run(t, w.admin, "/apps info")
	mustContain(t, "info", info, "2 listed", "`invalid`", "`missing`", "not found")
}

// gate is a TCP forwarder that refuses connections until opened: S3 "down".
type gate struct {
	ln     net.Listener
	target string
	open   atomic.Bool
	wg     sync.WaitGroup
}

func newGate(t *testing.T, target string) *gate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{ln: ln, target: target}
	go g.serve()
	t.Cleanup(func() { ln.Close(); g.wg.Wait() })
	return g
}

func (g *gate) serve() {
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		if !g.open.Load() {
			c.Close()
			continue
		}
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			defer c.Close()
			up, err := net.Dial("tcp", g.target)
			if err != nil {
				return
			}
			defer up.Close()
			go func() { _, _ = io.Copy(up, c) }()
			_, _ = io.Copy(c, up)
		}()
	}
}

func TestS3DownAtActivationThenUp(t *testing.T) {
	aws := startAWS(t)
	if err := aws.PutManifest(context.Background(), "late", "1.0.0", []byte(manifestJSON("late", "1.0.0"))); err != nil {
		t.Fatal(err)
	}
	g := newGate(t, strings.TrimPrefix(aws.S3.Endpoint, "http://"))
	env := aws.PluginEnv()
	for i, kv := range env {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL_S3=") {
			env[i] = "AWS_ENDPOINT_URL_S3=http://" + g.ln.Addr().String()
		}
	}
	w := newWorld(t, mmhost.Options{PluginEnv: env}, func(h *mmhost.Host) {
		installBundle(t, h, bundleWithListing(t, `{"late":"1.0.0"}`))
	})
	mustContain(t, "info while S3 is down", w.run(t, w.admin, "/apps info"), "unreachable", "late")
	g.open.Store(true)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(w.run(t, w.admin, "/apps list"), "App late") {
		if time.Now().After(deadline) {
			t.Fatalf("the listing did not fill after S3 came back:\n%s", w.run(t, w.admin, "/apps info"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestLambdaAppLifecycle(t *testing.T) {
	aws := startAWS(t)
	root, err := testbundle.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := aws.ProvisionExample(context.Background(), filepath.Join(root, "examples", "hello-lambda"), nil); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, mmhost.Options{PluginEnv: aws.PluginEnv()}, nil)
	mustContain(t, "consent", w.run(t, w.admin, "/apps install aws hello-lambda 1.0.0"), "Hello Lambda", "--consent")
	out := w.run(t, w.admin, "/apps install listed hello-lambda --consent")
	mustContain(t, "install", out, "Installed Hello Lambda", "AWS Lambda", "Hello Lambda is installed")
	bot := botByUsername(w.host, "hello-lambda")
	if bot == nil {
		t.Fatal("no bot for hello-lambda")
	}
	if len(w.host.MM.BotIconImage(bot.UserId)) == 0 {
		t.Error("the bot's icon was not set from the app's SVG icon in S3")
	}
	mustContain(t, "list", w.run(t, w.admin, "/apps list"), "Hello Lambda", "Enabled", "aws_lambda")
	mustContain(t, "disable", w.run(t, w.admin, "/apps disable hello-lambda"), "Disabled")
	mustContain(t, "list", w.run(t, w.admin, "/apps list"), "Disabled")
	mustContain(t, "enable", w.run(t, w.admin, "/apps enable hello-lambda"), "Enabled")
	mustContain(t, "list", w.run(t, w.admin, "/apps list"), "Enabled")
	mustContain(t, "uninstall", w.run(t, w.admin, "/apps uninstall hello-lambda"), "Uninstalled", "Goodbye from Hello Lambda")
}

func TestInstallOnOneNodeIsSeenByTheOther(t *testing.T) {
	w := newWorld(t, mmhost.Options{Nodes: 2}, allowLoopbackApps)
	app := startApp(t, testappOptions("shared"))
	w.run(t, w.admin, "/apps install http "+app.URL+"/manifest.json")
	w.run(t, w.admin, "/apps install listed shared --consent")
	p, _ := w.host.Plugin(pluginID)
	rec := httptestRecorder()
	req := httptestRequest("GET", "/api/v1/apps/shared", w.admin)
	p.Instances[1].Hooks.ServeHTTP(pluginCtx(), rec, req)
	if rec.Code != 200 {
		t.Fatalf("node2 does not know the app installed on node1: %d %s", rec.Code, rec.Body.String())
	}
}
