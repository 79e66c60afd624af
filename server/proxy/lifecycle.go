package proxy

import (
	"context"
	"fmt"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
)

// UninstallRequest is what an administrator asked to uninstall.
type UninstallRequest struct {
	AppID apps.AppID
	// Force goes on when the app's on_uninstall fails.
	Force bool
	// DeleteData also deletes the app's stored data (KV); it is kept by default.
	DeleteData bool
}

// UninstallApp calls on_uninstall, deletes the OAuth app, deactivates the
// bot and deletes the record. The app's data is kept unless DeleteData.
func (p *Proxy) UninstallApp(ctx context.Context, in Incoming, req UninstallRequest) (string, error) {
	actingUser, err := p.RequireAdmin(in, "uninstall apps")
	if err != nil {
		return "", err
	}
	app, err := p.installed(req.AppID)
	if err != nil {
		return "", err
	}
	var notes []string
	if app.OnUninstall != nil && !app.Disabled {
		resp, err := p.callApp(ctx, app, app.OnUninstall, actingUser, map[string]any{"delete_data": req.DeleteData})
		if err == nil && resp.Type == apps.CallResponseTypeError {
			err = fmt.Errorf("%s", resp.Text)
		}
		if err != nil {
			if !req.Force {
				return "", fmt.Errorf("app %s refused to uninstall: %v. Use --force to uninstall anyway", app.AppID, err)
			}
			notes = append(notes, fmt.Sprintf("The app's on_uninstall failed (%v); uninstalled anyway.", err))
		} else if resp.Text != "" {
			notes = append(notes, resp.Text)
		}
	}
	var failures []string
	if f := p.revokeSessions(app); f != "" {
		failures = append(failures, f)
	}
	if app.MattermostOAuth2 != nil && app.MattermostOAuth2.ID != "" {
		if appErr := p.api.DeleteOAuthApp(app.MattermostOAuth2.ID); appErr != nil {
			failures = append(failures, fmt.Sprintf("delete OAuth app %s: %v", app.MattermostOAuth2.ID, appErr))
		}
	}
	if app.BotUserID != "" {
		if _, appErr := p.api.UpdateBotActive(app.BotUserID, false); appErr != nil {
			failures = append(failures, fmt.Sprintf("deactivate bot @%s: %v", app.BotUsername, appErr))
		}
	}
	if len(failures) > 0 {
		// Keep the record, disabled, so nothing is orphaned and the admin can retry.
		app.Disabled = true
		_ = p.store.Save(string(app.AppID), app)
		p.notify()
		p.appChanged(app.AppID)
		return "", fmt.Errorf("uninstall %s did not finish (the app is disabled; run uninstall again): %s", app.AppID, strings.Join(failures, "; "))
	}
	if err := p.store.Delete(string(app.AppID)); err != nil {
		return "", fmt.Errorf("uninstall %s: %w", app.AppID, err)
	}
	p.notify()
	p.appChanged(app.AppID)
	if actingUser != nil {
		p.refreshBindings(actingUser.Id)
	}
	msg := fmt.Sprintf("Uninstalled %s (%s). Its bot @%s is deactivated.", app.DisplayName, app.AppID, app.BotUsername)
	if !req.DeleteData {
		msg += " Its data is kept; uninstall with --delete-data to remove it."
	} else {
		msg += " Its data is deleted."
	}
	for _, f := range p.appUninstalled(app.AppID, req.DeleteData) {
		notes = append(notes, "Could not clean up: "+f)
	}
	if len(notes) > 0 {
		msg += "\n" + strings.Join(notes, "\n")
	}
	return msg, nil
}

// EnableApp reactivates a disabled app's bot and calls on_enable.
func (p *Proxy) EnableApp(ctx context.Context, in Incoming, id apps.AppID) (string, error) {
	actingUser, err := p.RequireAdmin(in, "enable apps")
	if err != nil {
		return "", err
	}
	app, err := p.installed(id)
	if err != nil {
		return "", err
	}
	if !app.Disabled {
		return fmt.Sprintf("%s is already enabled.", app.DisplayName), nil
	}
	if app.BotUserID != "" {
		if _, appErr := p.api.UpdateBotActive(app.BotUserID, true); appErr != nil {
			return "", fmt.Errorf("enable %s: reactivate bot @%s: %w", id, app.BotUsername, appErr)
		}
	}
	app.Disabled = false
	if err := p.store.Save(string(id), app); err != nil {
		return "", fmt.Errorf("enable %s: %w", id, err)
	}
	p.notify()
	defer p.appChanged(id)
	msg := fmt.Sprintf("Enabled %s.", app.DisplayName)
	if app.OnEnable != nil {
		// The app's answer does not undo the enable, as upstream.
		if resp, err := p.callApp(ctx, app, app.OnEnable, actingUser, nil); err == nil && resp.Text != "" {
			msg += "\n" + resp.Text
		}
	}
	if actingUser != nil {
		p.refreshBindings(actingUser.Id)
	}
	return msg, nil
}

// DisableApp calls on_disable, deactivates the bot and marks the app
// disabled: it keeps its data but gets no calls.
func (p *Proxy) DisableApp(ctx context.Context, in Incoming, id apps.AppID) (string, error) {
	actingUser, err := p.RequireAdmin(in, "disable apps")
	if err != nil {
		return "", err
	}
	app, err := p.installed(id)
	if err != nil {
		return "", err
	}
	if app.Disabled {
		return fmt.Sprintf("%s is already disabled.", app.DisplayName), nil
	}
	var note string
	if app.OnDisable != nil {
		if resp, err := p.callApp(ctx, app, app.OnDisable, actingUser, nil); err == nil && resp.Text != "" {
			note = "\n" + resp.Text
		}
	}
	if app.BotUserID != "" {
		if _, appErr := p.api.UpdateBotActive(app.BotUserID, false); appErr != nil {
			return "", fmt.Errorf("disable %s: deactivate bot @%s: %w", id, app.BotUsername, appErr)
		}
	}
	if f := p.revokeSessions(app); f != "" {
		note += "\nCould not " + f
	}
	app.Disabled = true
	if err := p.store.Save(string(id), app); err != nil {
		return "", fmt.Errorf("disable %s: %w", id, err)
	}
	p.notify()
	p.appChanged(id)
	if actingUser != nil {
		p.refreshBindings(actingUser.Id)
	}
	return fmt.Sprintf("Disabled %s.%s", app.DisplayName, note), nil
}
