package mmplugin

import (
	"context"
	"io"
	"net/http"
	"net/url"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// Handshake values every Mattermost server (5.x through 11.x) uses. They must
// be byte-exact, including the cookie's final full stop.
const (
	MagicCookieKey   = "MATTERMOST_PLUGIN"
	MagicCookieValue = "Securely message teams, anywhere."
	ProtocolVersion  = 1
	// hooksPluginKey is the single go-plugin plugin name the server dispenses.
	hooksPluginKey = "hooks"
)

// Handshake is the go-plugin handshake of the Mattermost plugin protocol.
var Handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   MagicCookieKey,
	MagicCookieValue: MagicCookieValue,
}

// HTTPRequestSubset is the request as it travels in ServeHTTP and PluginHTTP.
// Older servers send a real *http.Request with only these fields filled, newer
// ones a struct of this name; gob matches by field name, so this one type
// decodes both. URL must be the standard library type (it travels through its
// binary marshaller).
type HTTPRequestSubset struct {
	Method     string
	URL        *url.URL
	Proto      string
	ProtoMajor int
	ProtoMinor int
	Header     http.Header
	Host       string
	RemoteAddr string
	RequestURI string
}

// Z_OnActivateArgs carries the broker ids of the API and DB-driver streams.
type Z_OnActivateArgs struct {
	APIMuxId    uint32
	DriverMuxId uint32
}

// Z_OnActivateReturns carries the activation result.
type Z_OnActivateReturns struct {
	A error
}

// Z_ServeHTTPArgs is the argument of Plugin.ServeHTTP.
type Z_ServeHTTPArgs struct {
	ResponseWriterStream uint32
	Request              *HTTPRequestSubset
	Context              *Context
	RequestBodyStream    uint32
}

// Z_LoadPluginConfigurationArgs is empty: the server knows which plugin asks.
type Z_LoadPluginConfigurationArgs struct{}

// Z_LoadPluginConfigurationReturns holds the settings as a JSON object.
type Z_LoadPluginConfigurationReturns struct {
	A []byte
}

// Z_EnsureBotUserArgs is the argument of Plugin.EnsureBotUser (7.1+).
type Z_EnsureBotUserArgs struct {
	A *model.Bot
}

// Z_EnsureBotUserReturns is the result of Plugin.EnsureBotUser.
type Z_EnsureBotUserReturns struct {
	A string
	B error
}

// Z_LogArgs is the argument of Plugin.LogDebug/LogInfo/LogWarn/LogError.
type Z_LogArgs struct {
	A string
	B []any
}

// Z_LogReturns is empty.
type Z_LogReturns struct{}

// Z_PluginHTTPStreamArgs is the argument of Plugin.PluginHTTPStream (newer servers).
type Z_PluginHTTPStreamArgs struct {
	ResponseBodyStream uint32
	Request            *HTTPRequestSubset
	RequestBodyStream  uint32
}

// Z_PluginHTTPStreamReturns is the result of Plugin.PluginHTTPStream; the body
// arrives on the response stream.
type Z_PluginHTTPStreamReturns struct {
	StatusCode int
	Header     http.Header
}

// Z_PluginHTTPArgs is the argument of the buffered Plugin.PluginHTTP.
type Z_PluginHTTPArgs struct {
	Request     *HTTPRequestSubset
	RequestBody []byte
}

// HTTPResponseSubset is the part of *http.Response the buffered PluginHTTP returns.
type HTTPResponseSubset struct {
	Status     string
	StatusCode int
	Header     http.Header
}

// Z_PluginHTTPReturns is the result of the buffered Plugin.PluginHTTP.
type Z_PluginHTTPReturns struct {
	Response     *HTTPResponseSubset
	ResponseBody []byte
}

func requestSubset(r *http.Request) *HTTPRequestSubset {
	return &HTTPRequestSubset{
		Method: r.Method, URL: r.URL, Proto: r.Proto, ProtoMajor: r.ProtoMajor, ProtoMinor: r.ProtoMinor,
		Header: r.Header, Host: r.Host, RemoteAddr: r.RemoteAddr, RequestURI: r.RequestURI,
	}
}

// toRequest rebuilds an *http.Request around body.
func (s *HTTPRequestSubset) toRequest(ctx context.Context, body io.ReadCloser) *http.Request {
	r := &http.Request{
		Method: s.Method, URL: s.URL, Proto: s.Proto, ProtoMajor: s.ProtoMajor, ProtoMinor: s.ProtoMinor,
		Header: s.Header, Host: s.Host, RemoteAddr: s.RemoteAddr, RequestURI: s.RequestURI, Body: body,
	}
	if r.URL == nil {
		r.URL = &url.URL{}
	}
	if r.Header == nil {
		r.Header = http.Header{}
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	return r.WithContext(ctx)
}
