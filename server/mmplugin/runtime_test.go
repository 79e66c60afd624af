package mmplugin_test

// Runtime tests: both halves of the protocol (the server's HooksRPCClient and
// APIRPCServer, the plugin's hook receiver and API client) in one process,
// connected by a real go-plugin RPC connection with its MuxBroker. The server's
// API is the in-memory Mattermost of test/fakemm, which imports mmplugin: hence
// the external test package.

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/rpc"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
)

// ---------------------------------------------------------------------------
// The rig: a go-plugin connection with the plugin side serving hooks and the
// server side calling them.

// rigPlugin is the go-plugin "hooks" plugin of both ends: go-plugin calls
// Server on the plugin's end (it returns the plugin's hook receiver) and Client
// on the server's end (the server's hook caller).
type rigPlugin struct {
	impl mmplugin.Plugin
	logf func(string, ...any)

	// The server end's broker and hooks connection, set by Client.
	broker *goplugin.MuxBroker
	client *rpc.Client
}

func (p *rigPlugin) Server(b *goplugin.MuxBroker) (any, error) {
	return mmplugin.NewHooksServer(p.impl, b), nil
}

func (p *rigPlugin) Client(b *goplugin.MuxBroker, c *rpc.Client) (any, error) {
	p.broker, p.client = b, c
	return (&mmplugin.ServerSide{Logf: p.logf}).Client(b, c)
}

type rig struct {
	hooks  *mmplugin.HooksRPCClient
	broker *goplugin.MuxBroker // the server end's
	client *rpc.Client         // the server end's connection to the hooks
}

// newRig connects impl and asks it which hooks it implements, as the server
// does before activating a plugin.
func newRig(t *testing.T, impl mmplugin.Plugin) *rig {
	t.Helper()
	p := &rigPlugin{impl: impl, logf: t.Logf}
	client, _ := goplugin.TestPluginRPCConn(t, map[string]goplugin.Plugin{"hooks": p}, nil)
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense("hooks")
	if err != nil {
		t.Fatalf("dispense hooks: %v", err)
	}
	hooks, ok := raw.(*mmplugin.HooksRPCClient)
	if !ok {
		t.Fatalf("dispensed %T, want *mmplugin.HooksRPCClient", raw)
	}
	if _, err := hooks.Implemented(); err != nil {
		t.Fatalf("Implemented: %v", err)
	}
	return &rig{hooks: hooks, broker: p.broker, client: p.client}
}

// activateWith activates the plugin as HooksRPCClient.OnActivate does, but
// serves receiver (not necessarily an *APIRPCServer) as the API, recording
// every method the plugin calls on it.
func (r *rig) activateWith(t *testing.T, receiver any) *methodLog {
	t.Helper()
	srv := rpc.NewServer()
	if err := srv.RegisterName("Plugin", receiver); err != nil {
		t.Fatalf("register API receiver %T: %v", receiver, err)
	}
	calls := &methodLog{}
	id := r.broker.NextId()
	go func() {
		conn, err := r.broker.Accept(id)
		if err != nil {
			return
		}
		srv.ServeCodec(newRecordingCodec(conn, calls))
	}()
	var ret mmplugin.Z_OnActivateReturns
	if err := r.client.Call("Plugin.OnActivate", &mmplugin.Z_OnActivateArgs{APIMuxId: id}, &ret); err != nil {
		t.Fatalf("RPC Plugin.OnActivate: %v", err)
	}
	if ret.A != nil {
		t.Fatalf("activation refused: %v", ret.A)
	}
	return calls
}

// methodLog records the methods a peer called, in order.
type methodLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *methodLog) add(m string) {
	l.mu.Lock()
	l.calls = append(l.calls, m)
	l.mu.Unlock()
}

// take returns the calls since the last take, without the Log* calls (a
// plugin logs whenever it wants to).
func (l *methodLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, c := range l.calls {
		if !strings.HasPrefix(c, "Plugin.Log") {
			out = append(out, c)
		}
	}
	l.calls = nil
	return out
}

// recordingCodec is net/rpc's gob server codec that also records the method
// of every request, including those the server does not have.
type recordingCodec struct {
	conn io.ReadWriteCloser
	dec  *gob.Decoder
	enc  *gob.Encoder
	buf  *bufio.Writer
	log  *methodLog
}

func newRecordingCodec(conn io.ReadWriteCloser, log *methodLog) *recordingCodec {
	buf := bufio.NewWriter(conn)
	return &recordingCodec{conn: conn, dec: gob.NewDecoder(conn), enc: gob.NewEncoder(buf), buf: buf, log: log}
}

func (c *recordingCodec) ReadRequestHeader(r *rpc.Request) error {
	if err := c.dec.Decode(r); err != nil {
		return err
	}
	c.log.add(r.ServiceMethod)
	return nil
}

func (c *recordingCodec) ReadRequestBody(body any) error { return c.dec.Decode(body) }

// WriteResponse is serialised by net/rpc.
func (c *recordingCodec) WriteResponse(r *rpc.Response, body any) error {
	if err := c.enc.Encode(r); err != nil {
		return err
	}
	if err := c.enc.Encode(body); err != nil {
		return err
	}
	return c.buf.Flush()
}

func (c *recordingCodec) Close() error { return c.conn.Close() }

// Older servers as net/rpc sees them: the current API server without the
// methods they lack. A field hides the embedded server's method of the same
// name (the shallower selector wins), so the method is not in the type's
// method set and net/rpc, which registers every exported method, answers
// "rpc: can't find method".

// preStreamAPIServer is a server from 7.1 up to the one that added PluginHTTPStream.
type preStreamAPIServer struct {
	*mmplugin.APIRPCServer
	PluginHTTPStream struct{}
}

// pre71APIServer is a server older than 7.1: no EnsureBotUser either.
type pre71APIServer struct {
	*mmplugin.APIRPCServer
	PluginHTTPStream struct{}
	EnsureBotUser    struct{}
}

// ---------------------------------------------------------------------------
// The plugin and the server-side API used by the tests.

// rtPlugin is a plugin whose ServeHTTP routes:
//   - /echo answers 200 with the body reversed (tagged "plugin") and X-Req copied;
//   - /proxy sends its body to /other.plugin/echo with api.PluginHTTP, records
//     what came back and relays it;
//   - /panic panics; /panic-after-write panics after writing 202 "partial".
//
// ExecuteCommand and MessageHasBeenPosted panic on "/panic" and "panic".
type rtPlugin struct {
	onActivate func(api mmplugin.API) error

	mu      sync.Mutex
	api     mmplugin.API
	proxied []proxyResult
	posted  []string
}

// proxyResult is what the plugin got from api.PluginHTTP.
type proxyResult struct {
	StatusCode int
	Status     string
	Header     http.Header
	Body       []byte
	Err        error
}

func (p *rtPlugin) OnActivate(api mmplugin.API) error {
	p.mu.Lock()
	p.api = api
	p.mu.Unlock()
	if p.onActivate != nil {
		return p.onActivate(api)
	}
	return nil
}

func (p *rtPlugin) API() mmplugin.API {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.api
}

func (p *rtPlugin) lastProxied(t *testing.T) proxyResult {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.proxied) == 0 {
		t.Fatal("the plugin made no PluginHTTP call")
	}
	return p.proxied[len(p.proxied)-1]
}

func (p *rtPlugin) ServeHTTP(c *mmplugin.Context, w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/echo":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("X-Req", r.Header.Get("X-Req"))
		w.Header().Set("X-Context-Request-Id", c.RequestId)
		_, _ = w.Write(reversed(body, "plugin"))
	case "/proxy":
		req, err := http.NewRequest(http.MethodPost, "/other.plugin/echo?from=proxy", r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		req.Header.Set("X-Req", r.Header.Get("X-Req"))
		resp := p.API().PluginHTTP(req)
		res := proxyResult{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header}
		res.Body, res.Err = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		p.mu.Lock()
		p.proxied = append(p.proxied, res)
		p.mu.Unlock()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(res.Body)
	case "/panic":
		panic("boom in ServeHTTP")
	case "/panic-after-write":
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "partial")
		panic("boom after write")
	default:
		http.NotFound(w, r)
	}
}

func (p *rtPlugin) ExecuteCommand(c *mmplugin.Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	if args.Command == "/panic" {
		panic("boom in ExecuteCommand")
	}
	return &model.CommandResponse{ResponseType: "ephemeral", Text: "ran " + args.Command}, nil
}

func (p *rtPlugin) MessageHasBeenPosted(c *mmplugin.Context, post *model.Post) {
	if post.Message == "panic" {
		panic("boom in MessageHasBeenPosted")
	}
	p.mu.Lock()
	p.posted = append(p.posted, post.Message)
	p.mu.Unlock()
}

// echoAPI is the server's API (fakemm) whose PluginHTTP stands in for the
// target plugin: status 207, headers describing the request, and the request
// body reversed (tagged "other.plugin"), after delay.
type echoAPI struct {
	mmplugin.API
	delay time.Duration

	mu  sync.Mutex
	got []echoRequest
}

type echoRequest struct {
	Method, Path, Query, Req string
	Body                     []byte
}

func (a *echoAPI) PluginHTTP(r *http.Request) *http.Response {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return &http.Response{StatusCode: http.StatusBadRequest, Status: "400 Bad Request", Body: io.NopCloser(strings.NewReader(err.Error()))}
	}
	a.mu.Lock()
	a.got = append(a.got, echoRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Req: r.Header.Get("X-Req"), Body: body})
	a.mu.Unlock()
	time.Sleep(a.delay)
	out := reversed(body, "other.plugin")
	return &http.Response{
		StatusCode: http.StatusMultiStatus, Status: "207 Multi-Status",
		Header:        echoHeader(r.Method, r.URL.Path, r.Header.Get("X-Req"), len(body)),
		Body:          io.NopCloser(bytes.NewReader(out)),
		ContentLength: int64(len(out)),
	}
}

func (a *echoAPI) last(t *testing.T) echoRequest {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.got) == 0 {
		t.Fatal("the server's PluginHTTP was not called")
	}
	return a.got[len(a.got)-1]
}

func echoHeader(method, path, req string, n int) http.Header {
	return http.Header{
		"Content-Type":  {"application/octet-stream"},
		"X-Echo-Method": {method},
		"X-Echo-Path":   {path},
		"X-Echo-Req":    {req},
		"X-Echo-Length": {strconv.Itoa(n)},
		"X-Multi":       {"one", "two"},
	}
}

// reversed is body backwards followed by "|tag": every byte's position matters.
func reversed(body []byte, tag string) []byte {
	out := make([]byte, len(body), len(body)+1+len(tag))
	for i, b := range body {
		out[len(body)-1-i] = b
	}
	return append(append(out, '|'), tag...)
}

func randomBody(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func serveHTTP(r *rig, method, path string, body []byte, reqID string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("X-Req", reqID)
	rec := httptest.NewRecorder()
	r.hooks.ServeHTTP(&mmplugin.Context{RequestId: reqID}, rec, req)
	return rec
}

func fakeAPI(mm *fakemm.Server) mmplugin.API {
	return mm.ForPlugin(fakemm.PluginManifest{Id: "p"}, "node1", "")
}

// ---------------------------------------------------------------------------
// Tests.

// The receivers standing in for older servers really lack the methods, with
// net/rpc's exact answer the plugin's fallbacks look for.
func TestRuntimeOldServerReceivers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		receiver any
		missing  []string
		present  []string
	}{
		{&preStreamAPIServer{}, []string{"PluginHTTPStream"}, []string{"PluginHTTP", "EnsureBotUser", "KVGet"}},
		{&pre71APIServer{}, []string{"PluginHTTPStream", "EnsureBotUser"}, []string{"PluginHTTP", "CreateBot", "KVGet"}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%T", tc.receiver), func(t *testing.T) {
			srv := rpc.NewServer()
			if err := srv.RegisterName("Plugin", tc.receiver); err != nil {
				t.Fatal(err)
			}
			a, b := net.Pipe()
			go srv.ServeConn(a)
			client := rpc.NewClient(b)
			defer client.Close()
			for _, m := range tc.missing {
				err := client.Call("Plugin."+m, struct{}{}, &struct{}{})
				if want := "rpc: can't find method Plugin." + m; err == nil || err.Error() != want {
					t.Errorf("call %s: %v, want %q", m, err, want)
				}
				if !mmplugin.IsMethodNotFound(err) {
					t.Errorf("IsMethodNotFound(%v) = false", err)
				}
			}
			typ := reflect.TypeOf(tc.receiver)
			for _, m := range tc.present {
				if _, ok := typ.MethodByName(m); !ok {
					t.Errorf("%s lacks %s", typ, m)
				}
			}
		})
	}
}

// PluginHTTP from a plugin hook, 1 MiB + 3 bytes each way: streamed where the
// server has PluginHTTPStream, otherwise one failed stream attempt, the
// buffered call, and the buffered call only from then on.
func TestRuntimePluginHTTP(t *testing.T) {
	t.Parallel()
	body := randomBody(1<<20+3, 1)
	tests := []struct {
		name         string
		receiver     func(*mmplugin.APIRPCServer) any
		first, later []string // the PluginHTTP* calls the server sees
		wantDisabled bool
	}{{
		name:     "streamed",
		receiver: func(s *mmplugin.APIRPCServer) any { return s },
		first:    []string{"Plugin.PluginHTTPStream"},
		later:    []string{"Plugin.PluginHTTPStream"},
	}, {
		name:         "buffered fallback",
		receiver:     func(s *mmplugin.APIRPCServer) any { return &preStreamAPIServer{APIRPCServer: s} },
		first:        []string{"Plugin.PluginHTTPStream", "Plugin.PluginHTTP"},
		later:        []string{"Plugin.PluginHTTP"},
		wantDisabled: true,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			echo := &echoAPI{API: fakeAPI(fakemm.New(fakemm.Options{}))}
			plugin := &rtPlugin{}
			r := newRig(t, plugin)
			calls := r.activateWith(t, tc.receiver(mmplugin.NewAPIRPCServer(echo, r.broker)))
			calls.take()

			for i, wantCalls := range [][]string{tc.first, tc.later} {
				reqID := "req-" + strconv.Itoa(i)
				rec := serveHTTP(r, http.MethodPost, "/proxy", body, reqID)

				got := echo.last(t)
				if got.Method != http.MethodPost || got.Path != "/other.plugin/echo" || got.Query != "from=proxy" || got.Req != reqID {
					t.Errorf("request %d: the server got %s %s?%s X-Req=%q", i, got.Method, got.Path, got.Query, got.Req)
				}
				if !bytes.Equal(got.Body, body) {
					t.Errorf("request %d: the server got a %d-byte body, want the %d bytes sent", i, len(got.Body), len(body))
				}

				res := plugin.lastProxied(t)
				wantBody := reversed(body, "other.plugin")
				wantHeader := echoHeader(http.MethodPost, "/other.plugin/echo", reqID, len(body))
				if res.Err != nil {
					t.Errorf("request %d: plugin read the response body: %v", i, res.Err)
				}
				if res.StatusCode != http.StatusMultiStatus || res.Status != "207 Multi-Status" {
					t.Errorf("request %d: plugin got status %d %q, want 207 \"207 Multi-Status\"", i, res.StatusCode, res.Status)
				}
				if !reflect.DeepEqual(res.Header, wantHeader) {
					t.Errorf("request %d: plugin got header %v, want %v", i, res.Header, wantHeader)
				}
				if !bytes.Equal(res.Body, wantBody) {
					t.Errorf("request %d: plugin got a %d-byte body, not the %d bytes sent", i, len(res.Body), len(wantBody))
				}

				if rec.Code != http.StatusMultiStatus || !bytes.Equal(rec.Body.Bytes(), wantBody) || rec.Header().Get("X-Echo-Req") != reqID {
					t.Errorf("request %d: relayed %d, %d bytes, X-Echo-Req %q", i, rec.Code, rec.Body.Len(), rec.Header().Get("X-Echo-Req"))
				}

				var httpCalls []string
				for _, c := range calls.take() {
					if strings.HasPrefix(c, "Plugin.PluginHTTP") {
						httpCalls = append(httpCalls, c)
					}
				}
				if !slices.Equal(httpCalls, wantCalls) {
					t.Errorf("request %d: the server saw %v, want %v", i, httpCalls, wantCalls)
				}
			}
			if got := mmplugin.StreamHTTPDisabled(plugin.API()); got != tc.wantDisabled {
				t.Errorf("stream disabled = %v, want %v", got, tc.wantDisabled)
			}
		})
	}
}

// A target that takes longer than the broker's 5-second accept window to
// answer: the server must dial the response stream before calling it.
func TestRuntimePluginHTTPSlowTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the broker's 5 s accept timeout")
	}
	t.Parallel()
	echo := &echoAPI{API: fakeAPI(fakemm.New(fakemm.Options{})), delay: 5500 * time.Millisecond}
	r := newRig(t, &rtPlugin{})
	if err := r.hooks.OnActivate(echo); err != nil {
		t.Fatal(err)
	}
	body := []byte("slow but fine")
	rec := serveHTTP(r, http.MethodPost, "/proxy", body, "slow")
	if rec.Code != http.StatusMultiStatus || !bytes.Equal(rec.Body.Bytes(), reversed(body, "other.plugin")) {
		t.Errorf("got %d %q", rec.Code, rec.Body.String())
	}
}

// EnsureBotUser on a 7.1+ server (its own method) and on an older one (the
// client's fallback through KV mmi_botid, CreateBot, PatchBot, …): the same
// bot either way.
func TestRuntimeEnsureBotUser(t *testing.T) {
	t.Parallel()
	for _, old := range []bool{false, true} {
		name := "7.1+ server"
		if old {
			name = "pre-7.1 fallback"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			mm := fakemm.New(fakemm.Options{})
			sapi := fakeAPI(mm)
			plugin := &rtPlugin{}
			r := newRig(t, plugin)
			var receiver any = mmplugin.NewAPIRPCServer(sapi, r.broker)
			if old {
				receiver = &pre71APIServer{APIRPCServer: receiver.(*mmplugin.APIRPCServer)}
			}
			calls := r.activateWith(t, receiver)
			calls.take()
			api := plugin.API()

			// wantCalls is what the server sees: the fallback's calls follow a
			// failed EnsureBotUser.
			wantCalls := func(t *testing.T, fallback ...string) {
				t.Helper()
				want := []string{"Plugin.EnsureBotUser"}
				if old {
					want = append(want, fallback...)
				}
				if got := calls.take(); !slices.Equal(got, want) {
					t.Errorf("the server saw %v, want %v", got, want)
				}
			}
			onlyBot := func(t *testing.T, id string) *model.Bot {
				t.Helper()
				bots := mm.Bots()
				if len(bots) != 1 || bots[0].UserId != id {
					t.Fatalf("bots %+v, want only %s", bots, id)
				}
				if got := string(mm.KV("p")[mmplugin.BotIDKey]); got != id {
					t.Errorf("KV %s = %q, want %q", mmplugin.BotIDKey, got, id)
				}
				return bots[0]
			}

			var id string
			t.Run("created", func(t *testing.T) {
				var err error
				id, err = api.EnsureBotUser(&model.Bot{Username: "mybot", DisplayName: "My Bot"})
				if err != nil || id == "" {
					t.Fatalf("EnsureBotUser: %q, %v", id, err)
				}
				wantCalls(t, "Plugin.KVGet", "Plugin.GetUserByUsername", "Plugin.CreateBot", "Plugin.KVSet")
				b := onlyBot(t, id)
				if b.Username != "mybot" || b.DisplayName != "My Bot" || b.OwnerId != "p" || b.DeleteAt != 0 {
					t.Errorf("bot %+v", b)
				}
			})
			ensure := func(t *testing.T, bot *model.Bot) {
				t.Helper()
				got, err := api.EnsureBotUser(bot)
				if err != nil || got != id {
					t.Fatalf("EnsureBotUser: %q, %v; want %q", got, err, id)
				}
			}
			t.Run("same again", func(t *testing.T) {
				ensure(t, &model.Bot{Username: "mybot", DisplayName: "My Bot"})
				wantCalls(t, "Plugin.KVGet", "Plugin.GetBot")
				onlyBot(t, id)
			})
			t.Run("display name patched", func(t *testing.T) {
				ensure(t, &model.Bot{Username: "mybot", DisplayName: "My Bot 2"})
				wantCalls(t, "Plugin.KVGet", "Plugin.GetBot", "Plugin.PatchBot")
				if b := onlyBot(t, id); b.DisplayName != "My Bot 2" || b.Username != "mybot" {
					t.Errorf("bot %+v", b)
				}
			})
			t.Run("deactivated bot reactivated", func(t *testing.T) {
				if _, appErr := sapi.UpdateBotActive(id, false); appErr != nil {
					t.Fatal(appErr)
				}
				ensure(t, &model.Bot{Username: "mybot", DisplayName: "My Bot 2"})
				wantCalls(t, "Plugin.KVGet", "Plugin.GetBot", "Plugin.UpdateBotActive")
				if b := onlyBot(t, id); b.DeleteAt != 0 {
					t.Errorf("bot still deactivated: %+v", b)
				}
				if u, _ := mm.User(id); u == nil || u.DeleteAt != 0 {
					t.Errorf("bot user %+v, want active", u)
				}
			})
			t.Run("stale KV id, bot adopted by username", func(t *testing.T) {
				if appErr := sapi.KVSet(mmplugin.BotIDKey, []byte("nosuchbot00000000000000000")); appErr != nil {
					t.Fatal(appErr)
				}
				ensure(t, &model.Bot{Username: "mybot", DisplayName: "My Bot 2"})
				wantCalls(t, "Plugin.KVGet", "Plugin.GetBot", "Plugin.GetUserByUsername", "Plugin.KVSet")
				onlyBot(t, id)
			})
			t.Run("a human owns the username", func(t *testing.T) {
				human := mm.CreateUser("humanuser")
				if appErr := sapi.KVDelete(mmplugin.BotIDKey); appErr != nil {
					t.Fatal(appErr)
				}
				got, err := api.EnsureBotUser(&model.Bot{Username: "humanuser"})
				wantCalls(t, "Plugin.KVGet", "Plugin.GetUserByUsername")
				if old {
					// The fallback refuses where the server (below) only logs.
					if err == nil || !strings.Contains(err.Error(), "humanuser") || !strings.Contains(err.Error(), "a user (not a bot) already has that username") {
						t.Errorf("EnsureBotUser: %q, %v; want a clear error", got, err)
					}
				} else if err != nil || got != human.Id {
					t.Errorf("EnsureBotUser: %q, %v; want the server's answer %q", got, err, human.Id)
				}
				if n := len(mm.Bots()); n != 1 {
					t.Errorf("%d bots, want 1", n)
				}
				if v, ok := mm.KV("p")[mmplugin.BotIDKey]; ok {
					t.Errorf("KV %s = %q, want unset", mmplugin.BotIDKey, v)
				}
			})
		})
	}
}

// A panicking hook costs the caller an error (or a 500), never the
// connection: the next hook call works.
func TestRuntimeHookPanics(t *testing.T) {
	t.Parallel()
	mm := fakemm.New(fakemm.Options{})
	plugin := &rtPlugin{}
	r := newRig(t, plugin)
	if err := r.hooks.OnActivate(fakeAPI(mm)); err != nil {
		t.Fatal(err)
	}
	ctx := &mmplugin.Context{RequestId: "rid"}

	alive := func(t *testing.T) {
		t.Helper()
		resp, appErr := r.hooks.ExecuteCommand(ctx, &model.CommandArgs{Command: "/ok"})
		if appErr != nil || resp == nil || resp.Text != "ran /ok" {
			t.Errorf("next ExecuteCommand: %+v, %v", resp, appErr)
		}
		rec := serveHTTP(r, http.MethodPost, "/echo", []byte("abc"), "next")
		if rec.Code != http.StatusOK || rec.Body.String() != "cba|plugin" || rec.Header().Get("X-Req") != "next" {
			t.Errorf("next ServeHTTP: %d %q %v", rec.Code, rec.Body.String(), rec.Header())
		}
	}

	tests := []struct {
		name  string
		where string // the panic log's "where"
		run   func(t *testing.T)
	}{{
		name: "ExecuteCommand", where: "ExecuteCommand",
		run: func(t *testing.T) {
			resp, appErr := r.hooks.ExecuteCommand(ctx, &model.CommandArgs{Command: "/panic"})
			if resp != nil {
				t.Errorf("response %+v, want nil", resp)
			}
			if appErr == nil {
				t.Fatal("no AppError")
			}
			if appErr.Id != "mmplugin.hook.panic" || appErr.StatusCode != http.StatusInternalServerError ||
				appErr.Where != "ExecuteCommand" || !strings.Contains(appErr.Message, "boom in ExecuteCommand") {
				t.Errorf("AppError %+v", appErr)
			}
		},
	}, {
		name: "ServeHTTP", where: "ServeHTTP /panic",
		run: func(t *testing.T) {
			rec := serveHTTP(r, http.MethodGet, "/panic", nil, "p")
			if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "internal server error") {
				t.Errorf("got %d %q, want 500", rec.Code, rec.Body.String())
			}
		},
	}, {
		name: "ServeHTTP after writing", where: "ServeHTTP /panic-after-write",
		run: func(t *testing.T) {
			rec := serveHTTP(r, http.MethodGet, "/panic-after-write", nil, "p")
			if rec.Code != http.StatusAccepted || rec.Body.String() != "partial" {
				t.Errorf("got %d %q, want what was written before the panic", rec.Code, rec.Body.String())
			}
		},
	}, {
		name: "MessageHasBeenPosted", where: "MessageHasBeenPosted",
		run: func(t *testing.T) {
			r.hooks.MessageHasBeenPosted(ctx, &model.Post{Message: "panic"})
			r.hooks.MessageHasBeenPosted(ctx, &model.Post{Message: "after"})
			plugin.mu.Lock()
			defer plugin.mu.Unlock()
			if !slices.Equal(plugin.posted, []string{"after"}) {
				t.Errorf("posted %v", plugin.posted)
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t)
			alive(t)
			if !panicLogged(mm, tc.where) {
				t.Errorf("no panic log with where=%q in %+v", tc.where, mm.Logs())
			}
		})
	}
}

func panicLogged(mm *fakemm.Server, where string) bool {
	for _, l := range mm.Logs() {
		if l.Level == "error" && l.Message == "Recovered from a panic" && slices.Contains(l.KeyValues, any(where)) {
			return true
		}
	}
	return false
}

// OnActivate's failures, a panic included, arrive in Returns.A as errors of
// the registered wire types; the connection survives.
func TestRuntimeOnActivateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		onActivate func(mmplugin.API) error
		check      func(t *testing.T, err error)
	}{{
		name:       "panic",
		onActivate: func(mmplugin.API) error { panic("boom in OnActivate") },
		check: func(t *testing.T, err error) {
			var es *mmplugin.ErrorString
			if !errors.As(err, &es) || !strings.Contains(es.Err, "OnActivate failed: panic: boom in OnActivate") {
				t.Errorf("got %T %v", err, err)
			}
		},
	}, {
		name:       "plain error",
		onActivate: func(mmplugin.API) error { return errors.New("no config") },
		check: func(t *testing.T, err error) {
			var es *mmplugin.ErrorString
			if !errors.As(err, &es) || es.Err != "no config" {
				t.Errorf("got %T %v", err, err)
			}
		},
	}, {
		name: "AppError",
		onActivate: func(mmplugin.API) error {
			return model.NewAppError("OnActivate", "app.bad", "bad", "", http.StatusBadRequest)
		},
		check: func(t *testing.T, err error) {
			var ae *model.AppError
			if !errors.As(err, &ae) || ae.Id != "app.bad" || ae.StatusCode != http.StatusBadRequest {
				t.Errorf("got %T %v", err, err)
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, &rtPlugin{onActivate: tc.onActivate})
			err := r.hooks.OnActivate(fakeAPI(fakemm.New(fakemm.Options{})))
			if err == nil {
				t.Fatal("activation succeeded")
			}
			tc.check(t, err)
			if _, err := r.hooks.Implemented(); err != nil {
				t.Errorf("connection lost after the failed activation: %v", err)
			}
		})
	}
}

// 50 concurrent requests with distinct bodies, half of them answered by the
// plugin itself and half relayed through PluginHTTPStream: every response
// is its own request's.
func TestRuntimeConcurrentServeHTTP(t *testing.T) {
	t.Parallel()
	echo := &echoAPI{API: fakeAPI(fakemm.New(fakemm.Options{}))}
	r := newRig(t, &rtPlugin{})
	if err := r.hooks.OnActivate(echo); err != nil {
		t.Fatal(err)
	}
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			reqID := fmt.Sprintf("req-%02d", i)
			// 4 bytes to ~180 KB: some fit the plugin's 64 KiB write buffer, some not.
			body := bytes.Repeat([]byte(fmt.Sprintf("<%02d>", i)), 1+i*900)
			path, status, tag, idHeader := "/echo", http.StatusOK, "plugin", "X-Req"
			if i%2 == 1 {
				path, status, tag, idHeader = "/proxy", http.StatusMultiStatus, "other.plugin", "X-Echo-Req"
			}
			rec := serveHTTP(r, http.MethodPost, path, body, reqID)
			if rec.Code != status || rec.Header().Get(idHeader) != reqID || !bytes.Equal(rec.Body.Bytes(), reversed(body, tag)) {
				t.Errorf("%s %s: %d, %s %q, %d-byte body (want %d, %q, %d bytes)",
					reqID, path, rec.Code, idHeader, rec.Header().Get(idHeader), rec.Body.Len(), status, reqID, len(body)+1+len(tag))
			}
			if got := rec.Header().Get("X-Context-Request-Id"); path == "/echo" && got != reqID {
				t.Errorf("%s: the plugin saw Context.RequestId %q", reqID, got)
			}
		})
	}
	wg.Wait()
}
