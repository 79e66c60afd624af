package mmplugin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/rpc"
	"os"
	"strings"
	"sync/atomic"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// apiRPCClient is the API as the plugin sees it: every method is an RPC to the
// server over the stream dialled at activation.
type apiRPCClient struct {
	client *rpc.Client
	broker *goplugin.MuxBroker
	// noStreamHTTP is set once the server has shown it lacks PluginHTTPStream.
	noStreamHTTP atomic.Bool
}

var _ API = (*apiRPCClient)(nil)

func newAPIRPCClient(client *rpc.Client, broker *goplugin.MuxBroker) *apiRPCClient {
	return &apiRPCClient{client: client, broker: broker}
}

func (c *apiRPCClient) call(method string, args, reply any) error {
	return c.client.Call(method, args, reply)
}

// logRPCFailure reports a failed call of a method that has no error result.
// It writes to stderr, which reaches the server log, rather than calling the
// API that may be what just failed.
func (c *apiRPCClient) logRPCFailure(method string, err error) {
	fmt.Fprintf(os.Stderr, "[ERROR] RPC call %s to the server failed: %v\n", method, err)
}

// LoadPluginConfiguration decodes the plugin's settings (manifest defaults
// overlaid with the saved values, keys lower-cased by the server) into dest.
func (c *apiRPCClient) LoadPluginConfiguration(dest any) error {
	var ret Z_LoadPluginConfigurationReturns
	if err := c.call("Plugin.LoadPluginConfiguration", &Z_LoadPluginConfigurationArgs{}, &ret); err != nil {
		return fmt.Errorf("load plugin configuration: %w", err)
	}
	if len(ret.A) == 0 {
		return nil
	}
	if err := json.Unmarshal(ret.A, dest); err != nil {
		return fmt.Errorf("decode plugin configuration: %w", err)
	}
	return nil
}

// EnsureBotUser uses the server's method (7.1+) and otherwise does the same
// work with older calls, keeping the bot id in the same KV key the server uses.
func (c *apiRPCClient) EnsureBotUser(bot *model.Bot) (string, error) {
	var ret Z_EnsureBotUserReturns
	err := c.call("Plugin.EnsureBotUser", &Z_EnsureBotUserArgs{A: bot}, &ret)
	if err == nil {
		return ret.A, ret.B
	}
	if !IsMethodNotFound(err) {
		return "", fmt.Errorf("ensure bot %s: %w", bot.Username, err)
	}
	return EnsureBotWithAPI(c, bot)
}

// BotIDKey is the plugin KV key where the server (and EnsureBotWithAPI) keep
// the plugin's bot user id.
const BotIDKey = "mmi_botid"

// EnsureBotWithAPI is the pre-7.1 EnsureBotUser logic in terms of older API
// methods: reuse the bot named in KV (updating its profile), else adopt an
// existing bot with the username, else create it.
func EnsureBotWithAPI(api API, bot *model.Bot) (string, error) {
	if bot == nil || bot.Username == "" {
		return "", errors.New("ensure bot: a username is required")
	}
	stored, appErr := api.KVGet(BotIDKey)
	if appErr != nil {
		return "", fmt.Errorf("ensure bot %s: read %s: %w", bot.Username, BotIDKey, appErr)
	}
	if len(stored) > 0 {
		id := string(stored)
		if existing, appErr := api.GetBot(id, true); appErr == nil && existing != nil {
			patch := &model.BotPatch{}
			changed := false
			if existing.Username != bot.Username {
				patch.Username, changed = &bot.Username, true
			}
			if existing.DisplayName != bot.DisplayName {
				patch.DisplayName, changed = &bot.DisplayName, true
			}
			if existing.Description != bot.Description {
				patch.Description, changed = &bot.Description, true
			}
			if changed {
				if _, appErr := api.PatchBot(id, patch); appErr != nil {
					return "", fmt.Errorf("ensure bot %s: update profile: %w", bot.Username, appErr)
				}
			}
			if existing.DeleteAt != 0 {
				if _, appErr := api.UpdateBotActive(id, true); appErr != nil {
					return "", fmt.Errorf("ensure bot %s: reactivate: %w", bot.Username, appErr)
				}
			}
			return id, nil
		}
	}
	if user, appErr := api.GetUserByUsername(bot.Username); appErr == nil && user != nil {
		if !user.IsBot {
			return "", fmt.Errorf("ensure bot %s: a user (not a bot) already has that username", bot.Username)
		}
		if appErr := api.KVSet(BotIDKey, []byte(user.Id)); appErr != nil {
			return "", fmt.Errorf("ensure bot %s: save id: %w", bot.Username, appErr)
		}
		return user.Id, nil
	}
	created, appErr := api.CreateBot(bot)
	if appErr != nil {
		return "", fmt.Errorf("ensure bot %s: create: %w", bot.Username, appErr)
	}
	if appErr := api.KVSet(BotIDKey, []byte(created.UserId)); appErr != nil {
		return "", fmt.Errorf("ensure bot %s: save id: %w", bot.Username, appErr)
	}
	return created.UserId, nil
}

func (c *apiRPCClient) LogDebug(msg string, kv ...any) { c.log("Plugin.LogDebug", msg, kv) }
func (c *apiRPCClient) LogInfo(msg string, kv ...any)  { c.log("Plugin.LogInfo", msg, kv) }
func (c *apiRPCClient) LogWarn(msg string, kv ...any)  { c.log("Plugin.LogWarn", msg, kv) }
func (c *apiRPCClient) LogError(msg string, kv ...any) { c.log("Plugin.LogError", msg, kv) }

// log sends every key and value as a string, as the official SDK does: strings
// always encode, while an arbitrary value in an interface slice may not.
func (c *apiRPCClient) log(method, msg string, kv []any) {
	pairs := make([]any, len(kv))
	for i, v := range kv {
		switch s := v.(type) {
		case string:
			pairs[i] = s
		case error:
			pairs[i] = s.Error()
		default:
			pairs[i] = fmt.Sprintf("%+v", v)
		}
	}
	if err := c.call(method, &Z_LogArgs{A: msg, B: pairs}, &Z_LogReturns{}); err != nil {
		c.logRPCFailure(method, err)
	}
}

// PluginHTTP sends request to another plugin (path /<plugin-id>/...). It
// streams both bodies where the server supports it and otherwise falls back to
// the buffered call. Failures come back as a 502 response saying why.
func (c *apiRPCClient) PluginHTTP(request *http.Request) *http.Response {
	if !c.noStreamHTTP.Load() && c.broker != nil {
		resp, err := c.pluginHTTPStream(request)
		if err == nil {
			return resp
		}
		if !IsMethodNotFound(err) {
			return errorResponse(request, fmt.Errorf("inter-plugin request %s: %w", request.URL.Path, err))
		}
		c.noStreamHTTP.Store(true)
	}
	resp, err := c.pluginHTTPBuffered(request)
	if err != nil {
		return errorResponse(request, fmt.Errorf("inter-plugin request %s: %w", request.URL.Path, err))
	}
	return resp
}

func (c *apiRPCClient) pluginHTTPStream(request *http.Request) (*http.Response, error) {
	respID := c.broker.NextId()
	respConnCh := acceptAsync(c.broker, respID)
	var bodyID uint32
	if request.Body != nil && request.Body != http.NoBody {
		bodyID = c.broker.NextId()
		bodyConnCh := acceptAsync(c.broker, bodyID)
		body := request.Body
		go func() {
			r := <-bodyConnCh
			if r.err == nil {
				servePull(r.conn, body)
			}
		}()
	}
	var ret Z_PluginHTTPStreamReturns
	err := c.call("Plugin.PluginHTTPStream", &Z_PluginHTTPStreamArgs{
		ResponseBodyStream: respID, Request: requestSubset(request), RequestBodyStream: bodyID,
	}, &ret)
	if err != nil {
		// The server may have dialled the response stream before failing.
		go func() {
			if r := <-respConnCh; r.err == nil {
				r.conn.Close()
			}
		}()
		return nil, err
	}
	r := <-respConnCh
	if r.err != nil {
		return nil, fmt.Errorf("accept response body stream: %w", r.err)
	}
	return &http.Response{
		Status:     fmt.Sprintf("%d %s", ret.StatusCode, http.StatusText(ret.StatusCode)),
		StatusCode: ret.StatusCode, Header: ret.Header, Body: r.conn,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: request,
	}, nil
}

func (c *apiRPCClient) pluginHTTPBuffered(request *http.Request) (*http.Response, error) {
	var body []byte
	if request.Body != nil {
		b, err := io.ReadAll(request.Body)
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		body = b
	}
	var ret Z_PluginHTTPReturns
	if err := c.call("Plugin.PluginHTTP", &Z_PluginHTTPArgs{Request: requestSubset(request), RequestBody: body}, &ret); err != nil {
		return nil, err
	}
	if ret.Response == nil {
		return nil, errors.New("the server returned no response")
	}
	return &http.Response{
		Status: ret.Response.Status, StatusCode: ret.Response.StatusCode, Header: ret.Response.Header,
		Body: io.NopCloser(bytes.NewReader(ret.ResponseBody)), ContentLength: int64(len(ret.ResponseBody)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: request,
	}, nil
}

func errorResponse(request *http.Request, err error) *http.Response {
	msg := err.Error()
	return &http.Response{
		Status: "502 Bad Gateway", StatusCode: http.StatusBadGateway,
		Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
		Body:   io.NopCloser(strings.NewReader(msg)), ContentLength: int64(len(msg)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: request,
	}
}
