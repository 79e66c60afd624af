package mmplugin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/rpc"
	"sync"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
)

// This file is the server's half of the protocol: what Mattermost does to drive
// a plugin. The test host uses it to run the real plugin binary exactly as the
// server would.

// ServerSide is the go-plugin plugin the server dispenses as "hooks".
type ServerSide struct {
	// Logf receives protocol failures (a failed hook RPC and the like).
	Logf func(format string, args ...any)
}

// Server is never called on the server side.
func (p *ServerSide) Server(*goplugin.MuxBroker) (any, error) {
	return nil, errors.New("the server side does not serve hooks")
}

// Client wraps the RPC connection to the plugin's hooks.
func (p *ServerSide) Client(b *goplugin.MuxBroker, c *rpc.Client) (any, error) {
	logf := p.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &HooksRPCClient{client: c, broker: b, logf: logf}, nil
}

// PluginMap is the go-plugin plugin map of a Mattermost server.
func (p *ServerSide) PluginMap() map[string]goplugin.Plugin {
	return map[string]goplugin.Plugin{hooksPluginKey: p}
}

// HooksRPCClient calls a plugin's hooks as the server does: only hooks the
// plugin listed in Implemented are called; a failed RPC is logged and yields
// zero results.
type HooksRPCClient struct {
	client *rpc.Client
	broker *goplugin.MuxBroker
	logf   func(format string, args ...any)

	mu          sync.RWMutex
	implemented map[string]bool
	apiServer   *APIRPCServer
}

func (c *HooksRPCClient) call(method string, args, reply any) error {
	return c.client.Call(method, args, reply)
}

func (c *HooksRPCClient) logRPCFailure(method string, err error) {
	c.logf("RPC call %s to plugin failed: %v", method, err)
}

func (c *HooksRPCClient) implements(name string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.implemented[name]
}

// Implemented asks the plugin which hooks it implements and remembers the
// answer; the server aborts the start when this fails.
func (c *HooksRPCClient) Implemented() ([]string, error) {
	var names []string
	if err := c.call("Plugin.Implemented", struct{}{}, &names); err != nil {
		return nil, fmt.Errorf("ask the plugin which hooks it implements: %w", err)
	}
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	c.mu.Lock()
	c.implemented = set
	c.mu.Unlock()
	return names, nil
}

// OnActivate serves api to the plugin on a new stream and activates it. The
// returned error is the plugin's refusal (Returns.A) or the RPC failure.
func (c *HooksRPCClient) OnActivate(api API) error {
	apiID := c.broker.NextId()
	c.apiServer = &APIRPCServer{impl: api, broker: c.broker}
	go c.broker.AcceptAndServe(apiID, c.apiServer)
	// Like the server we also offer a DB-driver stream; plugins may ignore it.
	driverID := c.broker.NextId()
	go func() {
		if conn, err := c.broker.Accept(driverID); err == nil {
			conn.Close()
		}
	}()
	var ret Z_OnActivateReturns
	if err := c.call("Plugin.OnActivate", &Z_OnActivateArgs{APIMuxId: apiID, DriverMuxId: driverID}, &ret); err != nil {
		return fmt.Errorf("RPC call OnActivate to plugin failed: %w", err)
	}
	return ret.A
}

// ServeHTTP forwards r to the plugin as the server does after it has
// authenticated the request and stripped the /plugins/<id> prefix. It returns
// once the plugin has finished writing.
func (c *HooksRPCClient) ServeHTTP(pc *Context, w http.ResponseWriter, r *http.Request) {
	if !c.implements("ServeHTTP") {
		http.NotFound(w, r)
		return
	}
	writerID := c.broker.NextId()
	rws := NewResponseWriterServer(w)
	go c.broker.AcceptAndServe(writerID, rws)

	var bodyID uint32
	if r.Body != nil {
		bodyID = c.broker.NextId()
		bodyCh := acceptAsync(c.broker, bodyID)
		go func() {
			res := <-bodyCh
			if res.err == nil {
				servePull(res.conn, r.Body)
			}
		}()
	}
	err := c.client.Call("Plugin.ServeHTTP", &Z_ServeHTTPArgs{
		ResponseWriterStream: writerID, Request: requestSubset(r), Context: pc, RequestBodyStream: bodyID,
	}, nil)
	if err != nil {
		c.logRPCFailure("Plugin.ServeHTTP", err)
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
	}
}

// APIRPCServer serves an API implementation to a plugin (service "Plugin" on
// the API stream). The generated methods cover the regular API; the ones below
// are those with special wire forms.
type APIRPCServer struct {
	impl   API
	broker *goplugin.MuxBroker
}

// NewAPIRPCServer serves impl; broker is needed for the streamed PluginHTTP.
func NewAPIRPCServer(impl API, broker *goplugin.MuxBroker) *APIRPCServer {
	return &APIRPCServer{impl: impl, broker: broker}
}

// LoadPluginConfiguration returns the plugin's settings as a JSON object.
func (s *APIRPCServer) LoadPluginConfiguration(args *Z_LoadPluginConfigurationArgs, ret *Z_LoadPluginConfigurationReturns) error {
	var raw json.RawMessage
	if err := s.impl.LoadPluginConfiguration(&raw); err != nil {
		return err
	}
	ret.A = raw
	return nil
}

// EnsureBotUser serves Plugin.EnsureBotUser (a 7.1+ method).
func (s *APIRPCServer) EnsureBotUser(args *Z_EnsureBotUserArgs, ret *Z_EnsureBotUserReturns) error {
	var err error
	ret.A, err = s.impl.EnsureBotUser(args.A)
	ret.B = encodableError(err)
	return nil
}

// LogDebug serves Plugin.LogDebug.
func (s *APIRPCServer) LogDebug(args *Z_LogArgs, ret *Z_LogReturns) error {
	s.impl.LogDebug(args.A, args.B...)
	return nil
}

// LogInfo serves Plugin.LogInfo.
func (s *APIRPCServer) LogInfo(args *Z_LogArgs, ret *Z_LogReturns) error {
	s.impl.LogInfo(args.A, args.B...)
	return nil
}

// LogWarn serves Plugin.LogWarn.
func (s *APIRPCServer) LogWarn(args *Z_LogArgs, ret *Z_LogReturns) error {
	s.impl.LogWarn(args.A, args.B...)
	return nil
}

// LogError serves Plugin.LogError.
func (s *APIRPCServer) LogError(args *Z_LogArgs, ret *Z_LogReturns) error {
	s.impl.LogError(args.A, args.B...)
	return nil
}

// PluginHTTPStream serves the streamed inter-plugin request: the plugin
// accepts both streams before calling, we dial them. Like the server we dial
// the response stream first: the plugin's accept gives up after 5 seconds,
// and the target plugin may take longer than that to answer.
func (s *APIRPCServer) PluginHTTPStream(args *Z_PluginHTTPStreamArgs, ret *Z_PluginHTTPStreamReturns) error {
	if args.Request == nil {
		return errors.New("PluginHTTPStream: no request")
	}
	respConn, err := s.broker.Dial(args.ResponseBodyStream)
	if err != nil {
		return fmt.Errorf("PluginHTTPStream: dial response body: %w", err)
	}
	var body io.ReadCloser = http.NoBody
	if args.RequestBodyStream != 0 {
		conn, err := s.broker.Dial(args.RequestBodyStream)
		if err != nil {
			respConn.Close()
			return fmt.Errorf("PluginHTTPStream: dial request body: %w", err)
		}
		body = newPullReader(conn)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	resp := s.impl.PluginHTTP(args.Request.toRequest(ctx, body))
	if resp == nil {
		cancel()
		body.Close()
		respConn.Close()
		return errors.New("PluginHTTPStream: no response")
	}
	ret.StatusCode, ret.Header = resp.StatusCode, resp.Header
	go func() {
		defer cancel()
		defer respConn.Close()
		// Closing the request body ends the plugin's side of that stream
		// even when the target did not read it all.
		defer body.Close()
		if resp.Body != nil {
			_, _ = io.Copy(respConn, resp.Body)
			resp.Body.Close()
		}
	}()
	return nil
}

// PluginHTTP serves the buffered inter-plugin request of older servers.
func (s *APIRPCServer) PluginHTTP(args *Z_PluginHTTPArgs, ret *Z_PluginHTTPReturns) error {
	if args.Request == nil {
		return errors.New("PluginHTTP: no request")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	resp := s.impl.PluginHTTP(args.Request.toRequest(ctx, io.NopCloser(bytes.NewReader(args.RequestBody))))
	if resp == nil {
		return errors.New("PluginHTTP: no response")
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("PluginHTTP: read response: %w", err)
	}
	ret.Response = &HTTPResponseSubset{Status: resp.Status, StatusCode: resp.StatusCode, Header: resp.Header}
	ret.ResponseBody = b
	return nil
}
