package proxy

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
)

// Fetchers reach outside sources of manifests. They are set by the plugin:
// URL fetches follow the outgoing request policy; S3 needs AWS configured.
type Fetchers struct {
	// URL fetches a manifest over http(s), at most limit bytes.
	URL func(ctx context.Context, url string, limit int64) ([]byte, error)
	// S3 fetches manifests/<id>_<version>.json; nil when AWS is not configured.
	S3 func(ctx context.Context, id apps.AppID, version apps.AppVersion) ([]byte, error)
	// Plugin GETs path (under /<pluginID>/app) from a plugin through
	// inter-plugin HTTP, at most limit bytes.
	Plugin func(ctx context.Context, pluginID, path string, limit int64) ([]byte, error)
}

// SetFetchers sets how manifests are fetched.
func (p *Proxy) SetFetchers(f Fetchers) { p.fetch = f }

// AddListing lists m on this server (or replaces its local listing).
func (p *Proxy) AddListing(ctx context.Context, in Incoming, m apps.Manifest) (apps.Manifest, error) {
	if _, err := p.RequireAdmin(in, "list apps"); err != nil {
		return apps.Manifest{}, err
	}
	if err := p.registry.AddLocal(m); err != nil {
		return apps.Manifest{}, fmt.Errorf("list %s: %w", m.AppID, err)
	}
	p.notify()
	p.upgradeIfListed(ctx, m.AppID) // an installed app listed at a newer version (upgrade.go)
	return m, nil
}

// ListHTTPApp fetches a manifest from manifestURL and lists it locally.
func (p *Proxy) ListHTTPApp(ctx context.Context, in Incoming, manifestURL string) (apps.Manifest, error) {
	if _, err := p.RequireAdmin(in, "install apps"); err != nil {
		return apps.Manifest{}, err
	}
	u, err := url.Parse(manifestURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return apps.Manifest{}, fmt.Errorf("%w: %q is not an http(s) URL of a manifest.json", ErrInvalid, manifestURL)
	}
	if !p.conf.Get().AllowHTTPApps {
		return apps.Manifest{}, fmt.Errorf("%w: HTTP apps are not allowed on this server (plugin setting allow_http_apps)", ErrForbidden)
	}
	if p.fetch.URL == nil {
		return apps.Manifest{}, fmt.Errorf("fetching manifests over HTTP is not available")
	}
	raw, err := p.fetch.URL(ctx, manifestURL, apps.MaxManifestSize)
	if err != nil {
		return apps.Manifest{}, fmt.Errorf("fetch the manifest from %s: %w", manifestURL, err)
	}
	m, err := apps.DecodeManifest(raw)
	if err != nil {
		return apps.Manifest{}, fmt.Errorf("the manifest at %s: %w", manifestURL, err)
	}
	if m.HTTP == nil {
		return apps.Manifest{}, fmt.Errorf("%w: the manifest at %s has no http section (root_url): it cannot be installed as an HTTP app", ErrInvalid, manifestURL)
	}
	return p.AddListing(ctx, in, *m)
}

// ListPluginApp fetches the manifest of an app served by plugin pluginID
// (from /<pluginID>/app/manifest.json, through inter-plugin HTTP) and lists
// it locally. The manifest's plugin section must name that plugin.
func (p *Proxy) ListPluginApp(ctx context.Context, in Incoming, pluginID string) (apps.Manifest, error) {
	if _, err := p.RequireAdmin(in, "install apps"); err != nil {
		return apps.Manifest{}, err
	}
	if pluginID == "" || strings.ContainsAny(pluginID, "/\\?#% ") {
		return apps.Manifest{}, fmt.Errorf("%w: %q is not a plugin id", ErrInvalid, pluginID)
	}
	if p.fetch.Plugin == nil {
		return apps.Manifest{}, fmt.Errorf("fetching manifests from plugins is not available")
	}
	where := "/" + pluginID + apps.PluginAppPath + "/manifest.json"
	raw, err := p.fetch.Plugin(ctx, pluginID, "/manifest.json", apps.MaxManifestSize)
	if err != nil {
		return apps.Manifest{}, fmt.Errorf("fetch the manifest from plugin %s (%s; is the plugin installed and enabled?): %w", pluginID, where, err)
	}
	m, err := apps.DecodeManifest(raw)
	if err != nil {
		return apps.Manifest{}, fmt.Errorf("the manifest at %s: %w", where, err)
	}
	if m.Plugin == nil || m.Plugin.PluginID != pluginID {
		return apps.Manifest{}, fmt.Errorf("%w: the manifest at %s has no plugin section naming %s: it cannot be installed as an app of that plugin", ErrInvalid, where, pluginID)
	}
	return p.AddListing(ctx, in, *m)
}

// ListAWSApp lists an app provisioned to S3 by appsctl.
func (p *Proxy) ListAWSApp(ctx context.Context, in Incoming, id apps.AppID, version apps.AppVersion) (apps.Manifest, error) {
	if _, err := p.RequireAdmin(in, "install apps"); err != nil {
		return apps.Manifest{}, err
	}
	if p.fetch.S3 == nil {
		return apps.Manifest{}, fmt.Errorf("%w: AWS is not configured%s", ErrInvalid, deployHint(apps.DeployAWSLambda))
	}
	raw, err := p.fetch.S3(ctx, id, version)
	if err != nil {
		return apps.Manifest{}, fmt.Errorf("fetch %s: %w", apps.ManifestS3Key(id, version), err)
	}
	m, err := apps.DecodeManifest(raw)
	if err != nil {
		return apps.Manifest{}, fmt.Errorf("%s: %w", apps.ManifestS3Key(id, version), err)
	}
	if m.AppID != id || m.Version != version {
		return apps.Manifest{}, fmt.Errorf("%w: %s holds app %s version %s", ErrInvalid, apps.ManifestS3Key(id, version), m.AppID, m.Version)
	}
	return p.AddListing(ctx, in, *m)
}

// RefreshRegistry re-reads the listing (manifests.json and S3) on this node
// and asks the others to do the same.
func (p *Proxy) RefreshRegistry(ctx context.Context, in Incoming) (string, error) {
	if _, err := p.RequireAdmin(in, "refresh the app listing"); err != nil {
		return "", err
	}
	if err := p.registry.Sync(ctx); err != nil {
		return "", err
	}
	p.notify()
	upgraded := p.SyncInstalledApps(ctx) // upgrade.go
	st := p.registry.Status()
	msg := fmt.Sprintf("Refreshed the app listing: %d listed, %d listed on this server.", st.Global, st.Local)
	if len(st.Pending) > 0 {
		msg += fmt.Sprintf(" Waiting for an unreachable source: %s.", strings.Join(st.Pending, ", "))
	}
	if len(st.Failed) > 0 {
		msg += fmt.Sprintf(" %d listed apps could not be loaded (see /apps info).", len(st.Failed))
	}
	if len(upgraded) > 0 {
		msg += "\n" + strings.Join(upgraded, "\n")
	}
	return msg, nil
}
