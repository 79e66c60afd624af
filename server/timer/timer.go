// Package timer runs the calls apps schedule with POST /api/v1/timer: at a
// given time, once per cluster, as the user who created the timer.
//
// Timers are records in the plugin KV store, so they survive restarts. Every
// node runs a scheduler: it arms an in-memory timer for each record due
// within the next poll, and re-reads the index every poll, so timers created
// on another node, or left behind by a node that stopped, fire too (past-due
// ones at once). Whichever node fires first claims the record with a
// compare-and-set and a lease; the others see the claim and skip it. A node
// that dies in the middle of a call leaves a claim that expires after the
// lease, and the timer then fires again elsewhere.
package timer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
	"github.com/mattermost-community/apps-plugin/server/store"
)

// Key layout: records "tm.<id>" and the index "idx.timers". An id starts
// with the due time (unix ms, zero-padded), so the sorted index is the
// schedule and polling reads only the index.
const (
	recordPrefix = "tm."
	indexKey     = "idx.timers"
)

// Defaults.
const (
	DefaultPoll        = 15 * time.Second
	DefaultCallTimeout = 30 * time.Second
	// MinDelay: a timer must be at least this far in the future (upstream).
	MinDelay = time.Second
	// maxFiring bounds the calls in flight on one node.
	maxFiring = 16
)

// Timer is one scheduled call.
type Timer struct {
	ID     string     `json:"id"`
	AppID  apps.AppID `json:"app_id"`
	UserID string     `json:"user_id"`
	// At is when to fire, unix milliseconds.
	At        int64     `json:"at"`
	Call      apps.Call `json:"call"`
	ChannelID string    `json:"channel_id,omitempty"`
	TeamID    string    `json:"team_id,omitempty"`
	// ClaimedUntil is set by the node firing it (unix ms): others keep off
	// until then.
	ClaimedUntil int64 `json:"claimed_until,omitempty"`
}

// Request is the body of POST /api/v1/timer.
type Request struct {
	At        int64     `json:"at"`
	Call      apps.Call `json:"call"`
	ChannelID string    `json:"channel_id,omitempty"`
	TeamID    string    `json:"team_id,omitempty"`
}

// Invoke makes a timer's call; the scheduler logs what it returns.
type Invoke func(ctx context.Context, t Timer) error

// Options configure a Service.
type Options struct {
	API    mmplugin.API
	Invoke Invoke
	// Check validates a timer's call for its app before it is stored
	// (optional): e.g. that the path is one users may call.
	Check func(appID apps.AppID, call apps.Call) error
	// Poll is how often the index is re-read (default DefaultPoll).
	Poll time.Duration
	// CallTimeout bounds one call (default DefaultCallTimeout); the lease of
	// a claim is twice as long plus a poll.
	CallTimeout time.Duration
	Now         func() time.Time
}

// Service stores timers and fires them.
type Service struct {
	api     mmplugin.API
	records *store.Records[Timer]
	invoke  Invoke
	check   func(apps.AppID, apps.Call) error
	poll    time.Duration
	timeout time.Duration
	lease   time.Duration
	now     func() time.Time

	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{}
	wg     sync.WaitGroup

	mu      sync.Mutex
	armed   map[string]*time.Timer
	stopped bool
	started bool
}

// New returns a Service; Start begins firing.
func New(opts Options) *Service {
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{
		api:     opts.API,
		records: store.NewRecords[Timer](opts.API, "timer", recordPrefix, indexKey),
		invoke:  opts.Invoke, check: opts.Check,
		poll: opts.Poll, timeout: opts.CallTimeout, lease: 2*opts.CallTimeout + opts.Poll,
		now: opts.Now, ctx: ctx, cancel: cancel,
		sem:   make(chan struct{}, maxFiring),
		armed: map[string]*time.Timer{},
	}
}

// ErrForbidden and ErrNotFound are mapped to 403 and 404.
var (
	ErrForbidden = errors.New("forbidden")
	ErrNotFound  = errors.New("not found")
)

// Create validates and stores a timer of appID for userID (who must be able
// to read the channel or view the team given) and arms it.
func (s *Service) Create(appID apps.AppID, userID string, req Request) (Timer, error) {
	now := s.now()
	if req.At < now.Add(MinDelay).UnixMilli() {
		return Timer{}, apps.NewInvalidError("at (%d) must be at least %s in the future (unix milliseconds)", req.At, MinDelay)
	}
	if req.At > 9999999999999 {
		return Timer{}, apps.NewInvalidError("at (%d) is not a time in unix milliseconds", req.At)
	}
	if req.Call.Path == "" {
		return Timer{}, apps.NewInvalidError("the timer's call has no path")
	}
	if err := req.Call.Validate(); err != nil {
		return Timer{}, err
	}
	if s.check != nil {
		if err := s.check(appID, req.Call); err != nil {
			return Timer{}, err
		}
	}
	if req.ChannelID != "" && !s.api.HasPermissionToChannel(userID, req.ChannelID, model.PermissionReadChannel) {
		return Timer{}, fmt.Errorf("%w: no permission to read channel %s", ErrForbidden, req.ChannelID)
	}
	if req.TeamID != "" && !s.api.HasPermissionToTeam(userID, req.TeamID, model.PermissionViewTeam) {
		return Timer{}, fmt.Errorf("%w: no permission to view team %s", ErrForbidden, req.TeamID)
	}
	t := Timer{
		ID:    fmt.Sprintf("%013d-%s", req.At, model.NewId()),
		AppID: appID, UserID: userID, At: req.At, Call: req.Call,
		ChannelID: req.ChannelID, TeamID: req.TeamID,
	}
	if err := s.records.Put(t.ID, t); err != nil {
		return Timer{}, err
	}
	if t.At <= now.Add(s.poll).UnixMilli() {
		s.arm(t.ID, t.At)
	}
	return t, nil
}

// dueAt reads the due time from an id.
func dueAt(id string) (int64, bool) {
	ms, _, ok := strings.Cut(id, "-")
	if !ok {
		return 0, false
	}
	at, err := strconv.ParseInt(ms, 10, 64)
	return at, err == nil
}

// Start fires what is past due and arms what is due soon, then polls.
func (s *Service) Start() {
	s.mu.Lock()
	if s.started || s.stopped {
		s.mu.Unlock()
		return
	}
	s.started = true
	s.mu.Unlock()
	s.scan()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.poll)
		defer t.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
				s.scan()
			}
		}
	}()
}

// Stop disarms everything and waits for the calls in flight (their
// context is cancelled; a timer whose call was cut short fires again after
// its lease).
func (s *Service) Stop() {
	s.mu.Lock()
	s.stopped = true
	for id, t := range s.armed {
		t.Stop()
		delete(s.armed, id)
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// scan arms the timers due before the next poll.
func (s *Service) scan() {
	ids, err := s.records.IDs()
	if err != nil {
		s.api.LogWarn("Could not read the timers", "error", err.Error())
		return
	}
	horizon := s.now().Add(s.poll).UnixMilli()
	for _, id := range ids {
		at, ok := dueAt(id)
		if !ok {
			continue
		}
		if at > horizon {
			break // sorted by due time
		}
		s.arm(id, at)
	}
}

func (s *Service) arm(id string, at int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.armed[id] != nil {
		return
	}
	d := time.Duration(at-s.now().UnixMilli()) * time.Millisecond
	s.armed[id] = time.AfterFunc(max(d, 0), func() { s.fire(id) })
}

// fire claims the timer and makes its call; the record is deleted after.
func (s *Service) fire(id string) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.armed, id)
		s.mu.Unlock()
	}()

	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	case <-s.ctx.Done():
		return
	}
	now := s.now()
	t, claimed, err := s.records.Update(id, func(t *Timer) bool {
		if t.ClaimedUntil > now.UnixMilli() {
			return false
		}
		t.ClaimedUntil = now.Add(s.lease).UnixMilli()
		return true
	})
	if err != nil {
		s.api.LogWarn("Could not claim a timer", "timer", id, "error", err.Error())
		return
	}
	if !claimed {
		return // fired, or firing, on another node
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	err = s.invoke(ctx, t)
	cancel()
	if err != nil && s.ctx.Err() != nil {
		return // stopping: keep the record, it fires again after the lease
	}
	if err != nil {
		s.api.LogWarn("A timer's call failed", "app_id", string(t.AppID), "timer", id, "path", t.Call.Path, "error", err.Error())
	}
	if err := s.records.Delete(id); err != nil {
		s.api.LogWarn("Could not delete a fired timer", "timer", id, "error", err.Error())
	}
}

// RemoveApp deletes the timers of appID (on uninstall).
func (s *Service) RemoveApp(appID apps.AppID) error {
	ids, err := s.records.IDs()
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		t, err := s.records.Get(id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if t.AppID != appID {
			continue
		}
		s.mu.Lock()
		if a := s.armed[id]; a != nil {
			a.Stop()
			delete(s.armed, id)
		}
		s.mu.Unlock()
		if err := s.records.Delete(id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// List returns the stored timers (for tests and diagnostics).
func (s *Service) List() ([]Timer, error) {
	all, err := s.records.All()
	out := make([]Timer, 0, len(all))
	for _, t := range all {
		out = append(out, t)
	}
	return out, err
}
