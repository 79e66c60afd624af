package proxy

import (
	"context"
	"fmt"
	"path"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/appservices"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// Notifier defaults.
const (
	NotifyWorkers = 16
	NotifyQueue   = 1024
	NotifyTimeout = 30 * time.Second
)

// Matcher finds the subscriptions an event reaches (appservices.Subscriptions).
type Matcher interface {
	Match(o appservices.Occurrence) ([]appservices.Delivery, error)
}

// Notifier makes the calls that events (subscriptions) and remote webhooks
// cause, in the background: a bounded queue served by a fixed pool of
// workers, so a hook or a webhook request never waits for an app, and the
// number of calls in flight stays bounded. Every job has its own timeout.
// Calls are asynchronous (Lambda "Event" invocations; HTTP in the
// background), as upstream's notifications were.
type Notifier struct {
	p       *Proxy
	subs    Matcher
	jobs    chan job
	timeout time.Duration

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	stopped atomic.Bool
	dropped atomic.Int64
	sent    atomic.Int64
}

type job struct {
	what string
	run  func(ctx context.Context) error
}

// NewNotifier starts workers (NotifyWorkers by default) over a queue of
// queueSize jobs.
func NewNotifier(p *Proxy, subs Matcher, workers, queueSize int) *Notifier {
	if workers <= 0 {
		workers = NotifyWorkers
	}
	if queueSize <= 0 {
		queueSize = NotifyQueue
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Notifier{p: p, subs: subs, jobs: make(chan job, queueSize), timeout: NotifyTimeout, ctx: ctx, cancel: cancel}
	for i := 0; i < workers; i++ {
		n.wg.Add(1)
		go n.work()
	}
	return n
}

// Stop stops taking jobs, cancels those running and waits for the workers.
// Queued jobs are dropped.
func (n *Notifier) Stop() {
	if n.stopped.Swap(true) {
		return
	}
	n.cancel()
	n.wg.Wait()
}

func (n *Notifier) work() {
	defer n.wg.Done()
	for {
		select {
		case <-n.ctx.Done():
			return
		case j := <-n.jobs:
			n.run(j)
		}
	}
}

func (n *Notifier) run(j job) {
	defer func() {
		if r := recover(); r != nil {
			n.p.api.LogError("A notification job panicked", "job", j.what, "panic", fmt.Sprint(r))
		}
	}()
	ctx, cancel := context.WithTimeout(n.ctx, n.timeout)
	defer cancel()
	if err := j.run(ctx); err != nil {
		n.p.api.LogDebug("Notification failed", "job", j.what, "error", err.Error())
	}
}

// submit queues a job without ever blocking; false when the queue is full
// (the job is dropped and logged) or the notifier stopped.
func (n *Notifier) submit(what string, run func(ctx context.Context) error) bool {
	if n.stopped.Load() {
		return false
	}
	select {
	case n.jobs <- job{what: what, run: run}:
		return true
	default:
		if n.dropped.Add(1)%100 == 1 {
			n.p.api.LogWarn("Notifications are dropped: too many in flight", "queue", fmt.Sprint(cap(n.jobs)), "dropped", fmt.Sprint(n.dropped.Load()), "job", what)
		}
		return false
	}
}

// Stats are counters for tests and diagnostics.
func (n *Notifier) Stats() (sent, dropped int64) { return n.sent.Load(), n.dropped.Load() }

// The hooks' entry points: each only queues a job.

func (n *Notifier) UserHasBeenCreated(user *model.User) {
	if user == nil {
		return
	}
	n.occurred(appservices.Occurrence{Subject: apps.SubjectUserCreated, UserID: user.Id})
}

func (n *Notifier) UserHasJoinedChannel(m *model.ChannelMember) {
	n.channelMembership(apps.SubjectUserJoinedChannel, m)
}

func (n *Notifier) UserHasLeftChannel(m *model.ChannelMember) {
	n.channelMembership(apps.SubjectUserLeftChannel, m)
}

func (n *Notifier) UserHasJoinedTeam(m *model.TeamMember) {
	if m != nil {
		n.occurred(appservices.Occurrence{Subject: apps.SubjectUserJoinedTeam, UserID: m.UserId, TeamID: m.TeamId})
	}
}

func (n *Notifier) UserHasLeftTeam(m *model.TeamMember) {
	if m != nil {
		n.occurred(appservices.Occurrence{Subject: apps.SubjectUserLeftTeam, UserID: m.UserId, TeamID: m.TeamId})
	}
}

func (n *Notifier) ChannelHasBeenCreated(ch *model.Channel) {
	if ch == nil || ch.TeamId == "" || ch.Type == model.ChannelTypeDirect || ch.Type == model.ChannelTypeGroup {
		return
	}
	n.occurred(appservices.Occurrence{Subject: apps.SubjectChannelCreated, ChannelID: ch.Id, TeamID: ch.TeamId, ChannelType: ch.Type})
}

func (n *Notifier) channelMembership(subject apps.Subject, m *model.ChannelMember) {
	if m == nil {
		return
	}
	o := appservices.Occurrence{Subject: subject, UserID: m.UserId, ChannelID: m.ChannelId}
	n.submit(string(subject), func(ctx context.Context) error {
		if ch, appErr := n.p.api.GetChannel(m.ChannelId); appErr == nil {
			o.TeamID = ch.TeamId
		}
		return n.match(o)
	})
}

func (n *Notifier) occurred(o appservices.Occurrence) {
	n.submit(string(o.Subject), func(ctx context.Context) error { return n.match(o) })
}

// match finds the deliveries of an occurrence and queues one job each.
func (n *Notifier) match(o appservices.Occurrence) error {
	if n.subs == nil {
		return nil
	}
	deliveries, err := n.subs.Match(o)
	if err != nil {
		return err
	}
	for _, d := range deliveries {
		n.submit(fmt.Sprintf("%s to %s", d.Subject, d.AppID), func(ctx context.Context) error { return n.deliver(ctx, d) })
	}
	return nil
}

// deliver makes a subscription's call as its owner: the context is expanded
// as the call asks, and carries the event's subject, user, channel and team.
func (n *Notifier) deliver(ctx context.Context, d appservices.Delivery) error {
	p := n.p
	app, ok := p.store.Get(string(d.AppID))
	if !ok || app.Disabled {
		return nil
	}
	up, err := p.upstreamFor(app)
	if err != nil {
		return err
	}
	ua := &userAgent{
		UserAgentContext: apps.UserAgentContext{AppID: app.AppID, ChannelID: d.ChannelID, TeamID: d.TeamID},
		UserID:           d.UserID,
		actingUserID:     d.OwnerUserID,
	}
	in := Incoming{ActingUserID: d.OwnerUserID}
	cc, err := p.expand(in, app, ua, d.Call.Expand)
	if err != nil {
		return err
	}
	cc.Subject = d.Subject
	cc.UserID, cc.ChannelID, cc.TeamID = d.UserID, d.ChannelID, d.TeamID
	if _, err := up.Roundtrip(ctx, app, apps.CallRequest{Call: d.Call, Context: cc}, true); err != nil {
		return err
	}
	n.sent.Add(1)
	return nil
}

// Webhook queues an app's on_remote_webhook call (its path joined with
// subpath) with values; false when the queue is full.
func (n *Notifier) Webhook(app apps.App, subpath string, values map[string]any) bool {
	call := app.OnRemoteWebhook.WithDefault(apps.DefaultOnRemoteWebhookCall())
	if subpath != "" {
		call.Path = path.Join(call.Path, subpath)
	}
	return n.submit("webhook to "+string(app.AppID), func(ctx context.Context) error {
		p := n.p
		up, err := p.upstreamFor(app)
		if err != nil {
			return err
		}
		ua := &userAgent{UserAgentContext: apps.UserAgentContext{AppID: app.AppID}}
		cc, err := p.expand(Incoming{}, app, ua, call.Expand)
		if err != nil {
			return err
		}
		if _, err := up.Roundtrip(ctx, app, apps.CallRequest{Call: call, Values: values, Context: cc}, true); err != nil {
			return err
		}
		n.sent.Add(1)
		return nil
	})
}
