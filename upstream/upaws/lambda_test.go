package upaws_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
	"github.com/mattermost-community/apps-plugin/upstream/upaws"
)

func lambdaApp(functions ...apps.AWSLambdaFunction) apps.App {
	return apps.App{
		Manifest: apps.Manifest{
			AppID:       "com.example.up",
			Version:     "v1.2.3",
			DisplayName: "Up",
			HomepageURL: "https://example.com",
			AWSLambda:   &apps.AWSLambda{Functions: functions},
		},
		DeployType: apps.DeployAWSLambda,
		BotUserID:  "bot-id",
	}
}

func fn(path, name string) apps.AWSLambdaFunction {
	return apps.AWSLambdaFunction{Path: path, Name: name, Handler: "bootstrap", Runtime: "provided.al2023"}
}

func callRequest(path string) apps.CallRequest {
	creq := apps.CallRequest{Call: apps.Call{Path: path}}
	creq.Context.AppID = "com.example.up"
	creq.Context.ActingUser = &apps.User{ID: "user-1"}
	return creq
}

// TestLambdaUpstream runs real Lambda functions in localaws through the
// real SDK client.
func TestLambdaUpstream(t *testing.T) {
	srv := startLocalAWS(t)
	app := lambdaApp(fn("/", "root"), fn("/a", "fa"), fn("/a/b", "fab"), fn("/z", "not deployed"))
	zipData := buildFunctionZip(t)
	admin := adminLambda(srv)
	for _, f := range app.AWSLambda.Functions[:3] {
		createFunction(t, admin, apps.LambdaName(app.AppID, app.Version, f.Name), zipData)
	}
	clients, err := upaws.NewClients(upaws.Config{
		Region:         srv.Region(),
		AccessKey:      testAccessKey,
		SecretKey:      testSecretKey,
		LambdaEndpoint: srv.URL(),
	})
	if err != nil {
		t.Fatal(err)
	}
	up := upaws.NewUpstream(clients)
	ctx := context.Background()
	name := func(f string) string { return apps.LambdaName(app.AppID, app.Version, f) }

	t.Run("longest prefix routing", func(t *testing.T) {
		var wg sync.WaitGroup
		for path, want := range map[string]string{
			"/": "root", "/x": "root", "/ping": "root",
			"/a": "fa", "/ab": "fa", "/a/c": "fa", "/a/": "fa",
			"/a/b": "fab", "/a/b/c": "fab", "/a/bc": "fab",
		} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := upstream.Call(ctx, up, app, callRequest(path))
				if err != nil {
					t.Errorf("%s: %v", path, err)
					return
				}
				data, _ := resp.Data.(map[string]any)
				if resp.Type != apps.CallResponseTypeOK || resp.Text != name(want) ||
					data["path"] != path || data["call_path"] != path ||
					data["acting_user_id"] != "user-1" || data["content_type"] != "application/json" {
					t.Errorf("%s: got %+v, want function %s", path, resp, name(want))
				}
			}()
		}
		wg.Wait()
	})

	t.Run("function error", func(t *testing.T) {
		_, err := up.Roundtrip(ctx, app, callRequest("/a/b/panic"), false)
		if err == nil {
			t.Fatal("expected an error")
		}
		for _, want := range []string{`app "com.example.up"`, name("fab"), "Unhandled", "boom from " + name("fab")} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
	})

	t.Run("status 404", func(t *testing.T) {
		_, err := up.Roundtrip(ctx, app, callRequest("/a/missing"), false)
		if !errors.Is(err, upstream.ErrNotFound) || !upaws.IsNotFound(err) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
	})

	t.Run("status 500", func(t *testing.T) {
		_, err := up.Roundtrip(ctx, app, callRequest("/fail"), false)
		want := "function " + name("root") + " failed with status code 500: kaput"
		if err == nil || errors.Is(err, upstream.ErrNotFound) || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
	})

	t.Run("function not deployed", func(t *testing.T) {
		_, err := up.Roundtrip(ctx, app, callRequest("/z"), false)
		if !errors.Is(err, upstream.ErrNotFound) || !strings.Contains(err.Error(), name("not deployed")) {
			t.Fatalf("got %v, want ErrNotFound naming the function", err)
		}
	})

	t.Run("no matching function", func(t *testing.T) {
		only := lambdaApp(fn("/a", "fa"))
		_, err := up.Roundtrip(ctx, only, callRequest("/b"), false)
		if !errors.Is(err, upstream.ErrNotFound) || !strings.Contains(err.Error(), `no aws_lambda function for path "/b"`) {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("async event", func(t *testing.T) {
		got := make(chan map[string]any, 1)
		callback := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var m map[string]any
			_ = json.NewDecoder(r.Body).Decode(&m)
			got <- m
		}))
		defer callback.Close()
		creq := callRequest("/a/notify")
		creq.Values = map[string]any{"callback": callback.URL}
		body, err := up.Roundtrip(ctx, app, creq, true)
		if body != nil || err != nil {
			t.Fatalf("async Roundtrip = %v, %v; want nil, nil", body, err)
		}
		select {
		case m := <-got:
			if m["function"] != name("fa") || m["path"] != "/a/notify" {
				t.Fatalf("the event reached %v", m)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the async invocation did not run")
		}

		// A missing function is still reported for async calls.
		if _, err := up.Roundtrip(ctx, app, callRequest("/z"), true); !upaws.IsNotFound(err) {
			t.Fatalf("async call to a missing function: got %v", err)
		}
	})
}
