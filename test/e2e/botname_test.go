package e2e

import (
	"testing"

	"github.com/mattermost-community/apps-plugin/test/mmhost"
)

func TestBotNameTakenByAPersonBecomesAppSuffixed(t *testing.T) {
	w := newWorld(t, mmhost.Options{}, allowLoopbackApps)
	w.host.MM.CreateUser("taken")
	app := startApp(t, testappOptions("taken"))
	w.run(t, w.admin, "/apps install http "+app.URL+"/manifest.json")
	mustContain(t, "install", w.run(t, w.admin, "/apps install listed taken --consent"), "Installed", "@taken-app")
	if bot := botByUsername(w.host, "taken-app"); bot == nil {
		t.Fatal("no bot @taken-app")
	}
	// Uninstall and reinstall reuse (and reactivate) the same bot.
	w.run(t, w.admin, "/apps uninstall taken")
	mustContain(t, "reinstall", w.run(t, w.admin, "/apps install listed taken --consent"), "Installed", "taken-app")
	n := 0
	for _, b := range w.host.MM.Bots() {
		if b.Username == "taken-app" && b.DeleteAt == 0 {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("active @taken-app bots = %d, want 1", n)
	}
}
