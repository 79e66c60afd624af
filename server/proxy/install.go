package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/store"
	"github.com/mattermost-community/apps-plugin/upstream"
)

// InstallRequest is what an administrator asked to install.
type InstallRequest struct {
	AppID apps.AppID
	// DeployType may be empty when the manifest has a single deploy type.
	DeployType apps.DeployType
	// Secret is the JWT secret of an HTTP app using JWT.
	Secret string
	// Trusted makes the app's Mattermost OAuth app skip the consent screen;
	// true when an administrator consented in Mattermost.
	Trusted bool
}

// InstallResult says what was done.
type InstallResult struct {
	App apps.App
	// Message is for the administrator: what was created, and the app's
	// own on_install text.
	Message string
}

// installLockTTL bounds how long a crashed install blocks the next one.
const installLockTTL = 2 * time.Minute

// InstallApp installs (or re-installs) a listed app: bot, OAuth app, the
// record, then the app's on_install. Concurrent installs of one app, on any
// node, run one after the other. A failure undoes what this install created.
func (p *Proxy) InstallApp(ctx context.Context, in Incoming, req InstallRequest) (*InstallResult, error) {
	actingUser, err := p.RequireAdmin(in, "install apps")
	if err != nil {
		return nil, err
	}
	conf := p.conf.Get()
	if !conf.EnableBotAccountCreation {
		return nil, fmt.Errorf("%w: bot accounts are disabled on this server; apps need one. Enable ServiceSettings.EnableBotAccountCreation (System Console > Integrations > Bot Accounts)", ErrInvalid)
	}
	m, ok := p.registry.Get(req.AppID)
	if !ok {
		return nil, fmt.Errorf("%w: app %q is not listed. List it first (/apps install http <manifest URL>, or appsctl provision for AWS apps)", ErrNotFound, req.AppID)
	}
	deployType, err := chooseDeployType(m, req.DeployType)
	if err != nil {
		return nil, err
	}
	if m.RequestedPermissions.Contains(apps.PermissionActAsUser) && !conf.EnableOAuthServiceProvider {
		return nil, fmt.Errorf("%w: app %s acts as users, which needs OAuth 2.0: enable ServiceSettings.EnableOAuthServiceProvider (System Console > Integrations > Integration Management)", ErrInvalid, m.AppID)
	}
	if deployType == apps.DeployHTTP && m.HTTP != nil && m.HTTP.UseJWT && req.Secret == "" {
		if existing, ok := p.store.Get(string(m.AppID)); !ok || existing.Secret == "" {
			return nil, fmt.Errorf("%w: app %s signs its requests with a JWT: give the app's secret (--secret)", ErrInvalid, m.AppID)
		}
	}

	lock := store.NewLock(p.api, "install."+string(m.AppID))
	lockCtx, cancel := context.WithTimeout(ctx, installLockTTL)
	defer cancel()
	if err := lock.Acquire(lockCtx, installLockTTL); err != nil {
		return nil, fmt.Errorf("%w: another install of %s is still running: %v", ErrConflict, m.AppID, err)
	}
	defer lock.Release()

	// Another node may have installed it meanwhile: read the stored record.
	app, err := p.store.Stored(string(m.AppID))
	reinstall := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	app.Manifest = m
	app.DeployType = deployType
	app.Disabled = false
	app.GrantedPermissions = append(apps.Permissions(nil), m.RequestedPermissions...)
	app.GrantedLocations = append(apps.Locations(nil), m.RequestedLocations...)
	if req.Secret != "" {
		app.Secret = req.Secret
	}
	if app.GrantedPermissions.Contains(apps.PermissionRemoteWebhooks) && app.WebhookSecret == "" {
		app.WebhookSecret = model.NewId()
	}

	up, err := p.upstreamFor(app)
	if err != nil {
		return nil, err
	}
	if err := p.ping(ctx, up, app); err != nil {
		return nil, err
	}

	var undo undoList
	var notes []string
	if err := p.ensureBot(&app, &undo, &notes); err != nil {
		undo.run(p)
		return nil, err
	}
	if note := p.setBotIcon(ctx, up, app); note != "" {
		notes = append(notes, note)
	}
	if app.GrantedPermissions.Contains(apps.PermissionActAsUser) {
		if err := p.ensureOAuthApp(&app, actingUser, req.Trusted, &undo, &notes); err != nil {
			undo.run(p)
			return nil, err
		}
	}
	if err := p.store.Save(string(app.AppID), app); err != nil {
		undo.run(p)
		return nil, fmt.Errorf("install %s: %w", app.AppID, err)
	}
	p.notify()
	defer p.appChanged(app.AppID)

	verb := "Installed"
	if reinstall {
		verb = "Re-installed"
	}
	msg := fmt.Sprintf("%s %s (%s, version %s) as %s.", verb, m.DisplayName, m.AppID, m.Version, deployType)
	if len(notes) > 0 {
		msg += "\n" + strings.Join(notes, "\n")
	}
	if m.OnInstall != nil {
		resp, err := p.callApp(ctx, app, m.OnInstall, actingUser, nil)
		switch {
		case err != nil:
			msg += fmt.Sprintf("\nThe app's on_install failed: %v", err)
		case resp.Type == apps.CallResponseTypeError:
			msg += "\nThe app's on_install answered an error: " + resp.Text
		case resp.Text != "":
			msg += "\n\n" + resp.Text
		}
	}
	if actingUser != nil {
		p.refreshBindings(actingUser.Id)
	}
	return &InstallResult{App: app, Message: msg}, nil
}

func chooseDeployType(m apps.Manifest, want apps.DeployType) (apps.DeployType, error) {
	types := m.DeployTypes()
	if want != "" {
		if !m.SupportsDeploy(want) {
			return "", fmt.Errorf("%w: app %s cannot be deployed as %q; its manifest supports %v", ErrInvalid, m.AppID, want, types)
		}
		return want, nil
	}
	switch len(types) {
	case 0:
		return "", fmt.Errorf("%w: app %s has no deployment information in its manifest", ErrInvalid, m.AppID)
	case 1:
		return types[0], nil
	}
	return "", fmt.Errorf("%w: app %s can be deployed as %v: choose one (--deploy-type)", ErrInvalid, m.AppID, types)
}

// ping checks the app answers before anything is created. A 404 counts as an
// answer: not every app implements /ping.
func (p *Proxy) ping(ctx context.Context, up upstream.Upstream, app apps.App) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout(app))
	defer cancel()
	creq := apps.CallRequest{Call: apps.DefaultPingCall(), Context: p.lifecycleContext(app, nil)}
	_, err := upstream.Call(ctx, up, app, creq)
	if err != nil && !errors.Is(err, upstream.ErrNotFound) {
		return fmt.Errorf("app %s did not answer (%s): %w", app.AppID, app.DeployType, err)
	}
	return nil
}

// ensureBot finds, reactivates or creates the app's bot: username = the app
// id in lower case, or <id>-app when a person already has that name.
func (p *Proxy) ensureBot(app *apps.App, undo *undoList, notes *[]string) error {
	description := fmt.Sprintf("Bot account for `%s` App.", app.DisplayName)
	if app.BotUserID != "" {
		if bot, appErr := p.api.GetBot(app.BotUserID, true); appErr == nil {
			if bot.DeleteAt != 0 {
				if _, appErr := p.api.UpdateBotActive(bot.UserId, true); appErr != nil {
					return fmt.Errorf("install %s: reactivate bot @%s: %w", app.AppID, bot.Username, appErr)
				}
			}
			if bot.DisplayName != app.DisplayName {
				name := app.DisplayName
				_, _ = p.api.PatchBot(bot.UserId, &model.BotPatch{DisplayName: &name, Description: &description})
			}
			app.BotUsername = bot.Username
			return nil
		}
	}
	username := strings.ToLower(string(app.AppID))
	for _, candidate := range []string{username, username + "-app"} {
		user, appErr := p.api.GetUserByUsername(candidate)
		if appErr == nil && user != nil {
			if !user.IsBot {
				continue // a person has this name
			}
			if user.DeleteAt != 0 {
				if _, appErr := p.api.UpdateBotActive(user.Id, true); appErr != nil {
					return fmt.Errorf("install %s: reactivate bot @%s: %w", app.AppID, candidate, appErr)
				}
			}
			app.BotUserID, app.BotUsername = user.Id, user.Username
			*notes = append(*notes, fmt.Sprintf("Using the existing bot account @%s.", user.Username))
			return nil
		}
		bot, appErr := p.api.CreateBot(&model.Bot{Username: candidate, DisplayName: app.DisplayName, Description: description})
		if appErr != nil {
			return fmt.Errorf("install %s: create bot @%s: %w", app.AppID, candidate, appErr)
		}
		undo.add(func(p *Proxy) { _ = p.api.PermanentDeleteBot(bot.UserId) })
		app.BotUserID, app.BotUsername = bot.UserId, bot.Username
		*notes = append(*notes, fmt.Sprintf("Created the bot account @%s.", bot.Username))
		return nil
	}
	return fmt.Errorf("%w: install %s: users @%s and @%s exist and are not bots; rename one", ErrConflict, app.AppID, username, username+"-app")
}

// setBotIcon sets the bot's picture from the app's icon; a missing icon is a
// note, not a failure.
func (p *Proxy) setBotIcon(ctx context.Context, up upstream.Upstream, app apps.App) string {
	if app.Icon == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout(app))
	defer cancel()
	body, contentType, err := up.GetStatic(ctx, app, app.Icon)
	if err != nil {
		return fmt.Sprintf("The app's icon %s could not be fetched (%v); the bot keeps the default picture.", app.Icon, err)
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, 8<<20))
	if err != nil {
		return fmt.Sprintf("The app's icon could not be read: %v", err)
	}
	var appErr *model.AppError
	if strings.Contains(contentType, "svg") || path.Ext(app.Icon) == ".svg" {
		appErr = p.api.SetBotIconImage(app.BotUserID, data)
	} else {
		appErr = p.api.SetProfileImage(app.BotUserID, data)
	}
	if appErr != nil {
		return fmt.Sprintf("The app's icon could not be set on the bot: %v", appErr)
	}
	return ""
}

// ensureOAuthApp creates the Mattermost OAuth app of an app acting as users.
func (p *Proxy) ensureOAuthApp(app *apps.App, actingUser *model.User, trusted bool, undo *undoList, notes *[]string) error {
	if app.MattermostOAuth2 != nil && app.MattermostOAuth2.ID != "" {
		if _, appErr := p.api.GetOAuthApp(app.MattermostOAuth2.ID); appErr == nil {
			return nil
		}
	}
	creator := ""
	if actingUser != nil {
		creator = actingUser.Id
	}
	conf := p.conf.Get()
	oauth, appErr := p.api.CreateOAuthApp(&model.OAuthApp{
		CreatorId:       creator,
		Name:            app.DisplayName,
		Description:     app.Description,
		CallbackUrls:    []string{conf.PluginURL + "/apps/" + string(app.AppID) + "/oauth2/mattermost/complete"},
		Homepage:        app.HomepageURL,
		IsTrusted:       trusted,
		MattermostAppID: string(app.AppID),
	})
	if appErr != nil {
		if appErr.StatusCode == http.StatusNotImplemented {
			return fmt.Errorf("%w: install %s: enable ServiceSettings.EnableOAuthServiceProvider: %v", ErrInvalid, app.AppID, appErr)
		}
		return fmt.Errorf("install %s: create the OAuth app: %w", app.AppID, appErr)
	}
	undo.add(func(p *Proxy) { _ = p.api.DeleteOAuthApp(oauth.Id) })
	app.MattermostOAuth2 = &apps.OAuthApp{ID: oauth.Id, ClientSecret: oauth.ClientSecret, Name: oauth.Name, CallbackUrls: oauth.CallbackUrls, IsTrusted: oauth.IsTrusted, MattermostAppID: oauth.MattermostAppID}
	*notes = append(*notes, fmt.Sprintf("Created the OAuth app %s.", oauth.Id))
	return nil
}

// undoList reverts what a failed install created, newest first.
type undoList struct{ steps []func(*Proxy) }

func (u *undoList) add(f func(*Proxy)) { u.steps = append(u.steps, f) }

func (u *undoList) run(p *Proxy) {
	for i := len(u.steps) - 1; i >= 0; i-- {
		u.steps[i](p)
	}
}
