package proxy

import (
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/upstream"
)

// AppStatus is one row of /apps list.
type AppStatus struct {
	Manifest  apps.Manifest
	Installed *apps.App // nil when only listed
	Reachable bool
	// Problem explains an unreachable app.
	Problem string
}

// Status is a short word for the app's state.
func (s AppStatus) Status() string {
	switch {
	case s.Installed == nil:
		return "Listed"
	case s.Installed.Disabled:
		return "Disabled"
	case !s.Reachable:
		return "Unreachable"
	}
	return "Enabled"
}

// ListApps returns the installed apps (pinged in parallel: 2 s, 5 s for
// Lambda) followed by the listed apps not installed. Everyone may list.
func (p *Proxy) ListApps(ctx context.Context, in Incoming) ([]AppStatus, error) {
	if _, err := p.actingUser(in); err != nil && in.PluginID == "" {
		return nil, err
	}
	installed := p.store.List()
	rows := make([]AppStatus, len(installed))
	var wg sync.WaitGroup
	for i, app := range installed {
		rows[i] = AppStatus{Manifest: app.Manifest, Installed: &installed[i]}
		if app.Disabled {
			continue
		}
		wg.Add(1)
		go func(row *AppStatus, app apps.App) {
			defer wg.Done()
			up, err := p.upstreamFor(app)
			if err == nil {
				err = p.ping(ctx, up, app)
			}
			row.Reachable = err == nil || errors.Is(err, upstream.ErrNotFound)
			if err != nil {
				row.Problem = err.Error()
			}
		}(&rows[i], app)
	}
	wg.Wait()
	seen := map[apps.AppID]bool{}
	for _, app := range installed {
		seen[app.AppID] = true
	}
	var listed []AppStatus
	for _, m := range p.registry.List() {
		if !seen[m.AppID] {
			listed = append(listed, AppStatus{Manifest: m})
		}
	}
	sort.Slice(listed, func(i, j int) bool { return listed[i].Manifest.AppID < listed[j].Manifest.AppID })
	return append(rows, listed...), nil
}
