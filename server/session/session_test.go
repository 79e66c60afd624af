package session

import (
	"errors"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/apps"
	"github.com/mattermost-community/apps-plugin/test/fakemm"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestAppSessions(t *testing.T) {
	c := &clock{t: time.Now()}
	mm := fakemm.New(fakemm.Options{Now: c.now})
	api := mm.ForPlugin(fakemm.PluginManifest{Id: "com.mattermost.apps"}, "node1", "")
	user := mm.CreateUser("alice")
	s := New(api, c.now)
	app := apps.App{Manifest: apps.Manifest{AppID: "hello"}}

	first, err := s.GetOrCreate(app, user.Id)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.GetOrCreate(app, user.Id); again.Id != first.Id {
		t.Fatal("a second call made a new session instead of reusing the cached one")
	}
	if id, _, err := s.AppOf(first.Id); err != nil || id != "hello" {
		t.Fatalf("AppOf = %q, %v", id, err)
	}
	if _, ok := mm.Authenticate(first.Token); !ok {
		t.Fatal("the app's token does not authenticate")
	}

	// Under 5 minutes left: extended, same session.
	c.t = c.t.Add(6 * time.Minute)
	ext, err := s.GetOrCreate(app, user.Id)
	if err != nil || ext.Id != first.Id || time.UnixMilli(ext.ExpiresAt).Sub(c.t) < 9*time.Minute {
		t.Fatalf("after 6 minutes: %+v, %v; want the same session extended", ext, err)
	}
	// Expired: a new one.
	c.t = c.t.Add(11 * time.Minute)
	renewed, err := s.GetOrCreate(app, user.Id)
	if err != nil || renewed.Id == first.Id {
		t.Fatalf("after expiry: %+v, %v; want a new session", renewed, err)
	}

	// A user's own session is not an app session.
	own := mm.LoginUser(user.Id)
	ownSess, _ := mm.Authenticate(own)
	if _, _, err := s.AppOf(ownSess.Id); !errors.Is(err, ErrNotAppSession) {
		t.Fatalf("AppOf(a browser session) = %v, want ErrNotAppSession", err)
	}

	if err := s.RevokeApp("hello"); err != nil {
		t.Fatal(err)
	}
	if _, ok := mm.Authenticate(renewed.Token); ok {
		t.Fatal("the token still works after RevokeApp")
	}
}

func TestKeysFitOldServers(t *testing.T) {
	app := apps.AppID("a-thirty-two-character-app-id.x1")
	if len(app) != 32 {
		t.Fatalf("test id has %d characters", len(app))
	}
	for _, k := range []string{key(app, "26charactersuseridabcdefgh"), indexKey(app)} {
		if len(k) > 50 {
			t.Errorf("key %q has %d characters; Mattermost 6.2 accepts 50", k, len(k))
		}
	}
}

func TestRevokeAppWhenTheServerAlreadyDroppedTheSession(t *testing.T) {
	mm := fakemm.New(fakemm.Options{})
	api := mm.ForPlugin(fakemm.PluginManifest{Id: "com.mattermost.apps"}, "node1", "")
	user := mm.CreateUser("carol")
	s := New(api, nil)
	app := apps.App{Manifest: apps.Manifest{AppID: "gone"}}
	sess, err := s.GetOrCreate(app, user.Id)
	if err != nil {
		t.Fatal(err)
	}
	if appErr := api.RevokeSession(sess.Id); appErr != nil { // e.g. the user logged out everywhere
		t.Fatal(appErr)
	}
	if err := s.RevokeApp("gone"); err != nil {
		t.Fatalf("RevokeApp after the server dropped the session: %v", err)
	}
	if list, _ := s.List("gone"); len(list) != 0 {
		t.Fatalf("cached sessions left: %+v", list)
	}
}
