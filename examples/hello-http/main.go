// Command hello-http is an example Mattermost App served over HTTP. It
// verifies the JWT the Apps plugin signs with the app's secret on every call,
// and offers a /hello-http slash command with a form and a channel header
// button.
//
//	APP_SECRET=s3cret go run ./examples/hello-http -addr 127.0.0.1:4000
//
// then, as a system admin in Mattermost:
//
//	/apps install http http://127.0.0.1:4000/manifest.json
package main

import (
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
)

//go:embed static/icon.svg
var icon []byte

func main() {
	addr := flag.String("addr", "127.0.0.1:4000", "listen address")
	rootURL := flag.String("root-url", "", "URL Mattermost uses to reach this app (default http://<addr>)")
	flag.Parse()
	secret := os.Getenv("APP_SECRET")
	if secret == "" {
		log.Fatal("set APP_SECRET: the JWT secret you will give /apps install")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if *rootURL == "" {
		*rootURL = "http://" + ln.Addr().String()
	}
	log.Printf("hello-http listening on %s; install it with: /apps install http %s/manifest.json", ln.Addr(), *rootURL)
	srv := &http.Server{Handler: New(*rootURL, secret), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

// New returns the app's handler; rootURL is where Mattermost reaches it.
func New(rootURL, secret string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /manifest.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, Manifest(rootURL))
	})
	mux.HandleFunc("GET /static/icon.svg", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write(icon)
	})
	call := func(path string, f func(apps.CallRequest) apps.CallResponse) {
		mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
			if _, err := apps.VerifyJWTHeader(r.Header, secret, time.Now()); err != nil {
				http.Error(w, "unauthorized: "+err.Error(), http.StatusUnauthorized)
				return
			}
			var creq apps.CallRequest
			if err := json.NewDecoder(r.Body).Decode(&creq); err != nil {
				http.Error(w, "bad call request: "+err.Error(), http.StatusBadRequest)
				return
			}
			writeJSON(w, f(creq))
		})
	}
	call("/ping", func(apps.CallRequest) apps.CallResponse { return apps.NewTextResponse("PONG") })
	call("/install", func(apps.CallRequest) apps.CallResponse {
		return apps.NewTextResponse("Hello HTTP is installed. Try `/hello-http send`.")
	})
	call("/bindings", func(apps.CallRequest) apps.CallResponse { return apps.NewDataResponse(bindings()) })
	call("/send", send)
	return mux
}

// Manifest is the app's manifest for rootURL.
func Manifest(rootURL string) apps.Manifest {
	return apps.Manifest{
		AppID: "hello-http", Version: "1.0.0", DisplayName: "Hello HTTP",
		Description:          "An example App served over HTTP, with JWT",
		HomepageURL:          "https://github.com/mattermost-community/apps-plugin/tree/main/examples/hello-http",
		Icon:                 "icon.svg",
		HTTP:                 &apps.HTTP{RootURL: rootURL, UseJWT: true},
		RequestedPermissions: apps.Permissions{apps.PermissionActAsBot},
		RequestedLocations:   apps.Locations{apps.LocationCommand, apps.LocationChannelHeader},
		OnInstall:            &apps.Call{Path: "/install", Expand: &apps.Expand{ActingUser: apps.ExpandSummary}},
	}
}

func sendForm() apps.Form {
	return apps.Form{
		Title:  "Say hello",
		Icon:   "icon.svg",
		Submit: &apps.Call{Path: "/send", Expand: &apps.Expand{ActingUser: apps.ExpandSummary}},
		Fields: []apps.Field{
			{Name: "name", Type: apps.FieldTypeText, Label: "name", Description: "Who to greet", Position: 1},
			{Name: "shout", Type: apps.FieldTypeBool, Label: "shout", Description: "Greet loudly"},
		},
	}
}

func bindings() []apps.Binding {
	form := sendForm()
	return []apps.Binding{
		{Location: apps.LocationCommand, Bindings: []apps.Binding{{
			Label: "hello-http", Description: "Say hello over HTTP", Icon: "icon.svg",
			Bindings: []apps.Binding{{Location: "send", Label: "send", Form: &form}},
		}}},
		{Location: apps.LocationChannelHeader, Bindings: []apps.Binding{{Location: "send", Label: "Say hello", Icon: "icon.svg", Form: &form}}},
	}
}

func send(creq apps.CallRequest) apps.CallResponse {
	name := creq.GetValue("name", "")
	if name == "" && creq.Context.ActingUser != nil {
		name = creq.Context.ActingUser.Username
	}
	if name == "" {
		name = "world"
	}
	if creq.BoolValue("shout") {
		return apps.NewTextResponse("HELLO, %s!", name)
	}
	return apps.NewTextResponse("Hello, %s!", name)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		fmt.Fprintln(os.Stderr, "write response:", err)
	}
}
