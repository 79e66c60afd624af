package upstream_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
)

// fixed is an Upstream that answers every call with the same body.
type fixed struct {
	body io.Reader
	err  error
}

func (f fixed) Roundtrip(context.Context, apps.App, apps.CallRequest, bool) (io.ReadCloser, error) {
	if f.err != nil {
		return nil, f.err
	}
	if f.body == nil {
		return nil, nil
	}
	return io.NopCloser(f.body), nil
}

func (f fixed) GetStatic(context.Context, apps.App, string) (io.ReadCloser, string, error) {
	return nil, "", upstream.ErrNotFound
}

func TestCall(t *testing.T) {
	app := apps.App{Manifest: apps.Manifest{AppID: "x"}}
	creq := apps.CallRequest{Call: apps.Call{Path: "/p"}}
	ctx := context.Background()

	for body, want := range map[string]apps.CallResponse{
		`{}`:                            {Type: apps.CallResponseTypeOK},
		`{"text":"hi"}`:                 {Type: apps.CallResponseTypeOK, Text: "hi"},
		`{"markdown":"v0"}`:             {Type: apps.CallResponseTypeOK, Text: "v0"},
		`{"type":"error","text":"bad"}`: {Type: apps.CallResponseTypeError, Text: "bad"},
		`{"type":"navigate","navigate_to_url":"u"}`: {Type: apps.CallResponseTypeNavigate, NavigateToURL: "u"},
	} {
		got, err := upstream.Call(ctx, fixed{body: strings.NewReader(body)}, app, creq)
		if err != nil || got.Type != want.Type || got.Text != want.Text || got.NavigateToURL != want.NavigateToURL {
			t.Errorf("%s: got %+v, %v; want %+v", body, got, err, want)
		}
	}

	if _, err := upstream.Call(ctx, fixed{err: upstream.ErrNotFound}, app, creq); !errors.Is(err, upstream.ErrNotFound) {
		t.Errorf("upstream error: got %v", err)
	}
	if _, err := upstream.Call(ctx, fixed{}, app, creq); err == nil {
		t.Error("nil body: expected an error")
	}
	_, err := upstream.Call(ctx, fixed{body: strings.NewReader("not json")}, app, creq)
	if err == nil || !strings.Contains(err.Error(), `app "x": call /p: decode call response "not json"`) {
		t.Errorf("bad JSON: got %v", err)
	}
	_, err = upstream.Call(ctx, fixed{body: iotest.ErrReader(io.ErrUnexpectedEOF)}, app, creq)
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), `app "x"`) {
		t.Errorf("read error: got %v", err)
	}
	big := io.MultiReader(strings.NewReader(`{"text":"`), strings.NewReader(strings.Repeat("x", upstream.MaxResponseSize)), strings.NewReader(`"}`))
	_, err = upstream.Call(ctx, fixed{body: big}, app, creq)
	if !errors.Is(err, apps.ErrTooLarge) || !strings.Contains(err.Error(), "larger than the limit of 10 MiB") {
		t.Errorf("too large: got %v", err)
	}
}

func TestLimitBody(t *testing.T) {
	for _, tc := range []struct {
		size    int
		wantErr bool
	}{{0, false}, {99, false}, {100, false}, {101, true}, {10000, true}} {
		body := upstream.LimitBody(io.NopCloser(strings.NewReader(strings.Repeat("a", tc.size))), 100, "x", "thing")
		data, err := io.ReadAll(body)
		if tc.wantErr {
			if !errors.Is(err, apps.ErrTooLarge) || len(data) > 100 || !strings.Contains(err.Error(), `app "x": thing is larger than the limit of 100 bytes`) {
				t.Errorf("size %d: got %d bytes, %v", tc.size, len(data), err)
			}
			continue
		}
		if err != nil || len(data) != tc.size {
			t.Errorf("size %d: got %d bytes, %v", tc.size, len(data), err)
		}
	}
}

func TestExcerpt(t *testing.T) {
	if got := upstream.Excerpt([]byte("short")); got != "short" {
		t.Errorf("got %q", got)
	}
	long := strings.Repeat("é", upstream.MaxErrorText) // 2 bytes each
	got := upstream.Excerpt([]byte(long))
	if !strings.HasSuffix(got, "…") || len(got) > upstream.MaxErrorText+len("…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("bad excerpt of %d bytes: %d bytes", len(long), len(got))
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 100: "100 bytes", 1024: "1 KiB", 1536: "1536 bytes", 10 << 20: "10 MiB", 50 << 20: "50 MiB"} {
		if got := upstream.FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
