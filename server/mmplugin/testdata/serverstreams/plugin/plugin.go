// Package plugin mirrors the server's plugin package: its gob registrations
// (plain gob.Register, as the server does it) and a few wire structs.
package plugin

import (
	"encoding/gob"
	"net/http"
	"net/url"

	"serverstreams/model"
	"serverstreams/opengraph"
)

type ErrorString struct {
	Code int
	Err  string
}

func (e ErrorString) Error() string { return e.Err }

type Context struct {
	SessionId      string
	RequestId      string
	IPAddress      string
	AcceptLanguage string
	UserAgent      string
	ConnectionId   string
}

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

func init() {
	gob.Register([]*model.SlackAttachment{})
	gob.Register([]interface{}{})
	gob.Register(map[string]interface{}{})
	gob.Register(&model.AppError{})
	gob.Register(&ErrorString{})
	gob.Register(&opengraph.OpenGraph{})
	gob.Register(&model.AutocompleteDynamicListArg{})
	gob.Register(&model.AutocompleteStaticListArg{})
	gob.Register(&model.AutocompleteTextArg{})
}

type Z_GetBundlePathReturns struct {
	A string
	B error
}

type Z_EnsureBotUserReturns struct {
	A string
	B error
}

type Z_MessageHasBeenPostedArgs struct {
	A *Context
	B *model.Post
}

type Z_ExecuteCommandArgs struct {
	A *Context
	B *model.CommandArgs
}

type Z_GetPluginsReturns struct {
	A []*model.Manifest
	B *model.AppError
}

type Z_GetConfigReturns struct {
	A *model.Config
}

type Z_ServeHTTPArgs struct {
	ResponseWriterStream uint32
	Request              *HTTPRequestSubset
	Context              *Context
	RequestBodyStream    uint32
}

// Z_PublishWebSocketEventArgs is used to show the server decodes what it
// registered under these names: a payload holding autocomplete args.
type Z_PublishWebSocketEventArgs struct {
	A string
	B map[string]interface{}
}
