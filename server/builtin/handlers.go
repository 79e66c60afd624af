package builtin

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/proxy"
)

func (a *App) info(_ context.Context, _ proxy.Incoming, _ apps.CallRequest) (apps.CallResponse, error) {
	c := a.conf.Get()
	built := c.BuildHash
	if c.BuildDate != "" {
		built += ", built " + c.BuildDate
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Mattermost Apps plugin version: %s, %s\nPlugin ID: `%s`\nMattermost server version: %s\nDeveloper mode: %t\n",
		c.Version, built, c.PluginID, c.ServerVersion, c.DeveloperMode)
	st := a.registry.Status()
	fmt.Fprintf(&b, "App listing: %d listed, %d listed on this server", st.Global, st.Local)
	if !st.LastSync.IsZero() {
		fmt.Fprintf(&b, ", synced %s", st.LastSync.UTC().Format(time.RFC3339))
	}
	b.WriteString("\n")
	if len(st.Pending) > 0 {
		fmt.Fprintf(&b, "Waiting for an unreachable source (retrying): %s\n", strings.Join(st.Pending, ", "))
	}
	if len(st.Failed) > 0 {
		keys := make([]string, 0, len(st.Failed))
		for k := range st.Failed {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("Listed apps that could not be loaded:\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "- `%s`: %s\n", k, st.Failed[k])
		}
	}
	fmt.Fprintf(&b, "Installed apps: %d\n", len(a.proxy.InstalledApps()))
	if a.migration != nil {
		fmt.Fprintf(&b, "%s\n", a.migration.StatusLine())
	}
	bs := a.proxy.BindingsStats()
	fmt.Fprintf(&b, "Bindings since start: %d fetched, %d cached, %d timed out, %d failed, %d skipped (apps left out are logged)",
		bs.Fetched, bs.Cached, bs.TimedOut, bs.Failed, bs.Skipped)
	return apps.NewTextResponse("%s", b.String()), nil
}

func (a *App) list(ctx context.Context, in proxy.Incoming, _ apps.CallRequest) (apps.CallResponse, error) {
	rows, err := a.proxy.ListApps(ctx, in)
	if err != nil {
		return apps.CallResponse{}, err
	}
	if len(rows) == 0 {
		return apps.NewTextResponse("No apps are installed or listed."), nil
	}
	var b strings.Builder
	b.WriteString("| Name | Status | Type | Version | Account | Locations | Permissions |\n|:--|:--|:--|:--|:--|:--|:--|\n")
	for _, r := range rows {
		m := r.Manifest
		typ, account := strings.Join(deployTypeNames(m.DeployTypes()), ", "), ""
		locations, permissions := m.RequestedLocations, m.RequestedPermissions
		if r.Installed != nil {
			typ = string(r.Installed.DeployType)
			account = "@" + r.Installed.BotUsername
			locations, permissions = r.Installed.GrantedLocations, r.Installed.GrantedPermissions
		}
		status := r.Status()
		if r.Problem != "" && status == "Unreachable" {
			status += " (" + r.Problem + ")"
		}
		fmt.Fprintf(&b, "| **%s** (`%s`) | %s | %s | %s | %s | %s | %s |\n",
			m.DisplayName, m.AppID, status, typ, m.Version, account, joinStrings(locations), joinStrings(permissions))
	}
	return apps.NewTextResponse("%s", b.String()), nil
}

// installListed answers the consent form of a listed app.
func (a *App) installListed(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	if _, err := a.proxy.RequireAdmin(in, "install apps"); err != nil {
		return apps.CallResponse{}, err
	}
	id, err := appIDValue(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	m, ok := a.registry.Get(id)
	if !ok {
		return apps.CallResponse{}, fmt.Errorf("%w: app %q is not listed (see /apps list)", proxy.ErrNotFound, id)
	}
	return apps.NewFormResponse(a.newConsentForm(m, "")), nil
}

// installHTTP lists an HTTP app from its manifest URL, then asks consent.
func (a *App) installHTTP(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	m, err := a.proxy.ListHTTPApp(ctx, in, strings.TrimSpace(creq.GetValue(fieldURL, "")))
	if err != nil {
		return apps.CallResponse{}, err
	}
	return apps.NewFormResponse(a.newConsentForm(m, apps.DeployHTTP)), nil
}

// fieldPluginID is the install-plugin form's plugin id field.
const fieldPluginID = "plugin_id"

// installPlugin lists an app served by another plugin from the manifest that
// plugin serves, then asks consent.
func (a *App) installPlugin(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	m, err := a.proxy.ListPluginApp(ctx, in, strings.TrimSpace(creq.GetValue(fieldPluginID, "")))
	if err != nil {
		return apps.CallResponse{}, err
	}
	return apps.NewFormResponse(a.newConsentForm(m, apps.DeployPlugin)), nil
}

// installAWS lists an app provisioned to S3 by appsctl, then asks consent.
func (a *App) installAWS(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	id, err := appIDValue(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	m, err := a.proxy.ListAWSApp(ctx, in, id, apps.AppVersion(strings.TrimSpace(creq.GetValue(fieldVersion, ""))))
	if err != nil {
		return apps.CallResponse{}, err
	}
	return apps.NewFormResponse(a.newConsentForm(m, apps.DeployAWSLambda)), nil
}

// consentForm is the consent form's source: it re-renders the form when the
// deploy type changes (the field refreshes).
func (a *App) consentForm(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	if _, err := a.proxy.RequireAdmin(in, "install apps"); err != nil {
		return apps.CallResponse{}, err
	}
	id, err := appIDValue(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	m, ok := a.registry.Get(id)
	if !ok {
		return apps.CallResponse{}, fmt.Errorf("%w: app %q is not listed", proxy.ErrNotFound, id)
	}
	return apps.NewFormResponse(a.newConsentForm(m, apps.DeployType(creq.GetValue(fieldDeployType, "")))), nil
}

// installConsent installs the app named by the form's state once the admin
// consented.
func (a *App) installConsent(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	id, err := appIDValue(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	m, ok := a.registry.Get(id)
	if !ok {
		return apps.CallResponse{}, fmt.Errorf("%w: app %q is not listed", proxy.ErrNotFound, id)
	}
	if needsConsent(m) && !creq.BoolValue(fieldConsent) {
		return apps.CallResponse{}, fmt.Errorf("%w: consent to use APIs and locations is required to install", proxy.ErrInvalid)
	}
	res, err := a.proxy.InstallApp(ctx, in, proxy.InstallRequest{
		AppID: m.AppID, DeployType: apps.DeployType(creq.GetValue(fieldDeployType, "")),
		Secret: creq.GetValue(fieldSecret, ""), Trusted: true,
	})
	if err != nil {
		return apps.CallResponse{}, err
	}
	resp := apps.NewTextResponse("%s", res.Message)
	resp.RefreshBindings = true
	return resp, nil
}

func (a *App) uninstall(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	id, err := appIDValue(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	msg, err := a.proxy.UninstallApp(ctx, in, proxy.UninstallRequest{AppID: id, Force: creq.BoolValue(fieldForce), DeleteData: creq.BoolValue(fieldDeleteData)})
	return refreshing(msg, err)
}

func (a *App) enable(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	id, err := appIDValue(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	msg, err := a.proxy.EnableApp(ctx, in, id)
	return refreshing(msg, err)
}

func (a *App) disable(ctx context.Context, in proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	id, err := appIDValue(creq)
	if err != nil {
		return apps.CallResponse{}, err
	}
	msg, err := a.proxy.DisableApp(ctx, in, id)
	return refreshing(msg, err)
}

func (a *App) refresh(ctx context.Context, in proxy.Incoming, _ apps.CallRequest) (apps.CallResponse, error) {
	msg, err := a.proxy.RefreshRegistry(ctx, in)
	return refreshing(msg, err)
}

func refreshing(msg string, err error) (apps.CallResponse, error) {
	if err != nil {
		return apps.CallResponse{}, err
	}
	resp := apps.NewTextResponse("%s", msg)
	resp.RefreshBindings = true
	return resp, nil
}

// lookupAppID offers app ids for the app field: the call's state says which
// (not installed, installed, enabled, disabled); the query filters.
func (a *App) lookupAppID(_ context.Context, _ proxy.Incoming, creq apps.CallRequest) (apps.CallResponse, error) {
	state, _ := creq.State.(string)
	query := strings.ToLower(creq.Query)
	installed := map[apps.AppID]apps.App{}
	for _, app := range a.proxy.InstalledApps() {
		installed[app.AppID] = app
	}
	var items []apps.SelectOption
	add := func(m apps.Manifest) {
		if query != "" && !strings.Contains(strings.ToLower(string(m.AppID)+" "+m.DisplayName), query) {
			return
		}
		items = append(items, apps.SelectOption{Label: m.DisplayName, Value: string(m.AppID)})
	}
	switch state {
	case StateNotInstalled:
		for _, m := range a.registry.List() {
			if _, ok := installed[m.AppID]; !ok {
				add(m)
			}
		}
	default:
		for _, app := range a.proxy.InstalledApps() {
			if state == StateEnabled && app.Disabled || state == StateDisabled && !app.Disabled {
				continue
			}
			add(app.Manifest)
		}
	}
	return apps.NewLookupResponse(items), nil
}

func deployTypeNames(ts []apps.DeployType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

func joinStrings[S ~string](list []S) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}
