package mmplugin

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/rpc"
	"os"
	"runtime/debug"
	"sync"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// ClientMain runs p as a Mattermost plugin process and never returns. Started
// by hand (without the server's handshake cookie) it says what it is on stderr
// and exits with status 1.
func ClientMain(p Plugin) {
	if os.Getenv(MagicCookieKey) != MagicCookieValue {
		fmt.Fprintln(os.Stderr, "This program is a Mattermost server plugin: upload its bundle to Mattermost (System Console > Plugins) instead of running it directly.")
		os.Exit(1)
	}
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         map[string]goplugin.Plugin{hooksPluginKey: &pluginSide{impl: p}},
	})
}

// pluginSide is the go-plugin face of a plugin inside its own process.
type pluginSide struct{ impl Plugin }

func (p *pluginSide) Server(b *goplugin.MuxBroker) (any, error) {
	return &hooksRPCServer{impl: p.impl, broker: b}, nil
}

func (p *pluginSide) Client(*goplugin.MuxBroker, *rpc.Client) (any, error) {
	return nil, fmt.Errorf("the plugin process does not dispense clients")
}

// hooksRPCServer receives the server's hook calls (service "Plugin").
type hooksRPCServer struct {
	impl   Plugin
	broker *goplugin.MuxBroker

	mu  sync.Mutex
	api *apiRPCClient
}

// Implemented lists the hooks the plugin implements; the server calls no other.
func (s *hooksRPCServer) Implemented(args struct{}, reply *[]string) error {
	names := optionalHooks(s.impl)
	if _, ok := s.impl.(HTTPHandler); ok {
		names = append(names, "ServeHTTP")
	}
	*reply = names
	return nil
}

// OnActivate connects the API stream, then runs the plugin's OnActivate.
// Failures go in Returns.A: an RPC-level error would not fail activation.
func (s *hooksRPCServer) OnActivate(args *Z_OnActivateArgs, ret *Z_OnActivateReturns) error {
	conn, err := s.broker.Dial(args.APIMuxId)
	if err != nil {
		ret.A = encodableError(fmt.Errorf("connect to the server API stream: %w", err))
		return nil
	}
	if args.DriverMuxId != 0 {
		// We never use the database driver; dialling and closing keeps the
		// server from logging an accept timeout.
		if dc, derr := s.broker.Dial(args.DriverMuxId); derr == nil {
			dc.Close()
		}
	}
	api := newAPIRPCClient(rpc.NewClient(conn), s.broker)
	s.mu.Lock()
	s.api = api
	s.mu.Unlock()
	// go-plugin swapped os.Stderr for a pipe into the server log; the log
	// package still points at the original.
	log.SetOutput(os.Stderr)

	defer s.recoverHook("OnActivate", &ret.A)
	ret.A = encodableError(s.impl.OnActivate(api))
	return nil
}

// ServeHTTP dials the response-writer and body streams, runs the plugin's
// handler and finishes every write before replying: the server ends the HTTP
// response as soon as this RPC returns.
func (s *hooksRPCServer) ServeHTTP(args *Z_ServeHTTPArgs, reply *struct{}) error {
	wconn, err := s.broker.Dial(args.ResponseWriterStream)
	if err != nil {
		return fmt.Errorf("ServeHTTP: dial response stream: %w", err)
	}
	wclient := rpc.NewClient(wconn)
	defer wclient.Close()

	var body io.ReadCloser = http.NoBody
	if args.RequestBodyStream != 0 {
		bconn, err := s.broker.Dial(args.RequestBodyStream)
		if err != nil {
			return fmt.Errorf("ServeHTTP: dial request body stream: %w", err)
		}
		body = newPullReader(bconn)
	}
	defer body.Close()

	w := newRPCResponseWriter(wclient)
	h, ok := s.impl.(HTTPHandler)
	if !ok {
		http.NotFound(w, nil)
		w.Flush()
		return nil
	}
	if args.Request == nil {
		args.Request = &HTTPRequestSubset{}
	}
	c := args.Context
	if c == nil {
		c = &Context{}
	}
	r := args.Request.toRequest(context.Background(), body)
	func() {
		defer func() {
			if p := recover(); p != nil {
				s.logPanic("ServeHTTP "+r.URL.Path, p)
				if !w.wroteHeader {
					http.Error(w, "internal server error", http.StatusInternalServerError)
				}
			}
		}()
		h.ServeHTTP(c, w, r)
	}()
	w.Flush()
	return nil
}

// recoverHook turns a panic in a hook into a logged error in the hook's error
// result (target points at an error or *model.AppError field), so one bad
// request never kills the plugin process.
func (s *hooksRPCServer) recoverHook(name string, target any) {
	p := recover()
	if p == nil {
		return
	}
	s.logPanic(name, p)
	msg := fmt.Sprintf("%s failed: panic: %v", name, p)
	switch t := target.(type) {
	case *error:
		*t = &ErrorString{Err: msg}
	case **model.AppError:
		*t = model.NewAppError(name, "mmplugin.hook.panic", msg, "", http.StatusInternalServerError)
	}
}

func (s *hooksRPCServer) logPanic(where string, p any) {
	s.mu.Lock()
	api := s.api
	s.mu.Unlock()
	stack := string(debug.Stack())
	if api != nil {
		api.LogError("Recovered from a panic", "where", where, "panic", fmt.Sprint(p), "stack", stack)
		return
	}
	fmt.Fprintf(os.Stderr, "[ERROR] %s: panic: %v\n%s\n", where, p, stack)
}
