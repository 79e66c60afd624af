package plugin

import (
	"context"
	"errors"
	"fmt"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/appservices"
	"github.com/mattermost-community/apps-plugin/server/httpin"
	"github.com/mattermost-community/apps-plugin/server/proxy"
	"github.com/mattermost-community/apps-plugin/server/session"
	"github.com/mattermost-community/apps-plugin/server/timer"
)

// startAppServices builds what apps call back into (KV, subscriptions,
// OAuth2, timers, webhooks) and starts the notifier and the timers.
func (s *services) startAppServices(sessions *session.Service) {
	subs := appservices.NewSubscriptions(s.api, s.installed)
	oauth2 := appservices.NewOAuth2(s.api)
	notifier := proxy.NewNotifier(s.proxy, subs, proxy.NotifyWorkers, proxy.NotifyQueue)
	timers := timer.New(timer.Options{
		API:   s.api,
		Check: s.proxy.CheckTimerCall,
		Invoke: func(ctx context.Context, t timer.Timer) error {
			return s.proxy.InvokeTimer(ctx, t.AppID, t.UserID, t.Call, t.ChannelID, t.TeamID)
		},
	})
	s.proxy.SetAppServices(oauth2, func(appID apps.AppID, deleteData bool) error {
		var errs []error
		if err := subs.RemoveApp(appID); err != nil {
			errs = append(errs, fmt.Errorf("remove the subscriptions of %s: %w", appID, err))
		}
		if err := timers.RemoveApp(appID); err != nil {
			errs = append(errs, fmt.Errorf("remove the timers of %s: %w", appID, err))
		}
		if deleteData {
			if _, err := appservices.DeleteAppData(s.api, appID); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	})
	s.appSvc = &httpin.AppServices{
		Auth:          appservices.NewAuth(sessions, s.installed, nil),
		KV:            appservices.NewKV(s.api),
		Subscriptions: subs,
		OAuth2:        oauth2,
		Timers:        timers,
		Notifier:      notifier,
	}
	timers.Start()
}

func (s *services) stopAppServices() {
	if s.appSvc == nil {
		return
	}
	s.appSvc.Timers.Stop()
	s.appSvc.Notifier.Stop()
}
