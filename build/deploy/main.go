// Command deploy uploads a plugin bundle to a running Mattermost server,
// enables it and waits until it runs, printing the server's error text if it
// does not. It reads MM_SERVICESETTINGS_SITEURL and MM_ADMIN_TOKEN.
//
//	deploy -id com.mattermost.apps dist/com.mattermost.apps-1.3.0.tar.gz
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	id := flag.String("id", "", "plugin id")
	timeout := flag.Duration("timeout", 90*time.Second, "how long to wait for the plugin to start")
	flag.Parse()
	if *id == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: deploy -id PLUGIN_ID BUNDLE.tar.gz")
		os.Exit(2)
	}
	d := deployer{
		siteURL: strings.TrimRight(os.Getenv("MM_SERVICESETTINGS_SITEURL"), "/"),
		token:   os.Getenv("MM_ADMIN_TOKEN"),
		client:  &http.Client{Timeout: 5 * time.Minute},
		poll:    time.Second,
		out:     os.Stdout,
	}
	if d.siteURL == "" || d.token == "" {
		fmt.Fprintln(os.Stderr, "deploy: set MM_SERVICESETTINGS_SITEURL (e.g. http://localhost:8065) and MM_ADMIN_TOKEN (a system admin's personal access token)")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := d.deploy(ctx, *id, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "deploy:", err)
		os.Exit(1)
	}
}

type deployer struct {
	siteURL, token string
	client         *http.Client
	poll           time.Duration
	out            io.Writer
}

func (d *deployer) deploy(ctx context.Context, id, bundle string) error {
	f, err := os.ReadFile(bundle)
	if err != nil {
		return fmt.Errorf("read bundle: %w", err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("plugin", filepath.Base(bundle))
	if err != nil {
		return err
	}
	_, _ = fw.Write(f)
	_ = mw.WriteField("force", "true")
	_ = mw.Close()
	fmt.Fprintf(d.out, "Uploading %s (%d KiB) to %s ...\n", filepath.Base(bundle), len(f)/1024, d.siteURL)
	if err := d.do(ctx, http.MethodPost, "/api/v4/plugins", mw.FormDataContentType(), &body, nil); err != nil {
		return fmt.Errorf("upload (the server needs PluginSettings.Enable and PluginSettings.EnableUploads): %w", err)
	}
	fmt.Fprintf(d.out, "Enabling %s ...\n", id)
	if err := d.do(ctx, http.MethodPost, "/api/v4/plugins/"+id+"/enable", "", nil, nil); err != nil {
		return fmt.Errorf("enable: %w", err)
	}
	// The enable call answers 200 even when activation fails: the statuses tell.
	for {
		var statuses []struct {
			PluginID string `json:"plugin_id"`
			State    int    `json:"state"`
			Error    string `json:"error"`
		}
		if err := d.do(ctx, http.MethodGet, "/api/v4/plugins/statuses", "", nil, &statuses); err != nil {
			return fmt.Errorf("read plugin statuses: %w", err)
		}
		running, seen := true, false
		for _, s := range statuses {
			if s.PluginID != id {
				continue
			}
			seen = true
			switch s.State {
			case 2:
			case 3, 4:
				msg := s.Error
				if msg == "" {
					msg = "no reason given; see the server log"
				}
				return fmt.Errorf("the server could not start %s: %s", id, msg)
			default:
				running = false
			}
		}
		if seen && running {
			fmt.Fprintf(d.out, "%s is running.\n", id)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not start in time (%w)", id, ctx.Err())
		case <-time.After(d.poll):
		}
	}
}

func (d *deployer) do(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, d.siteURL+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		var appErr struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(b, &appErr) == nil && appErr.Message != "" {
			return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, appErr.Message)
		}
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return errors.Join(fmt.Errorf("decode %s answer", path), err)
		}
	}
	return nil
}
