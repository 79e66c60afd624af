package fakemm

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost-community/apps-plugin/server/mmplugin"
	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

const testSVG = `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>`

// A 1x1 PNG.
var testPNG = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
	0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00,
	0x00, 0x05, 0x00, 0x01, 0xe9, 0xfa, 0xdc, 0xd8, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
	0xae, 0x42, 0x60, 0x82,
}

func TestCreateBot(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(s *Server) // before the call
		bot    func(s *Server) *model.Bot
		status int
		errID  string
	}{
		{name: "owner defaults to plugin", bot: func(*Server) *model.Bot {
			return &model.Bot{Username: "mybot", DisplayName: "My Bot", Description: "d"}
		}},
		{name: "upper case username is lowered", bot: func(*Server) *model.Bot { return &model.Bot{Username: "MyBot"} }},
		{name: "too short", bot: func(*Server) *model.Bot { return &model.Bot{Username: "ab"} }, status: http.StatusBadRequest, errID: "model.bot.is_valid.username.app_error"},
		{name: "starts with digit", bot: func(*Server) *model.Bot { return &model.Bot{Username: "1bot"} }, status: http.StatusBadRequest, errID: "model.bot.is_valid.username.app_error"},
		{name: "bad characters", bot: func(*Server) *model.Bot { return &model.Bot{Username: "my bot"} }, status: http.StatusBadRequest, errID: "model.bot.is_valid.username.app_error"},
		{name: "reserved", bot: func(*Server) *model.Bot { return &model.Bot{Username: "system"} }, status: http.StatusBadRequest, errID: "model.bot.is_valid.username.app_error"},
		{name: "too long", bot: func(*Server) *model.Bot { return &model.Bot{Username: "b" + strings.Repeat("x", 64)} }, status: http.StatusBadRequest, errID: "model.bot.is_valid.username.app_error"},
		{
			name:  "username of a user",
			setup: func(s *Server) { s.CreateUser("alice") },
			bot:   func(*Server) *model.Bot { return &model.Bot{Username: "alice"} }, status: http.StatusBadRequest, errID: "app.user.save.username_exists.app_error",
		},
		{
			name: "username of a bot",
			setup: func(s *Server) {
				_, _ = s.ForPlugin(PluginManifest{Id: "p2"}, "", "").CreateBot(&model.Bot{Username: "taken"})
			},
			bot: func(*Server) *model.Bot { return &model.Bot{Username: "taken"} }, status: http.StatusBadRequest, errID: "app.user.save.username_exists.app_error",
		},
		{
			name: "bot owning a bot",
			setup: func(s *Server) {
				_, _ = s.ForPlugin(PluginManifest{Id: "p2"}, "", "").CreateBot(&model.Bot{Username: "parent"})
			},
			bot: func(s *Server) *model.Bot {
				u, _ := s.ForPlugin(PluginManifest{Id: "p2"}, "", "").GetUserByUsername("parent")
				return &model.Bot{Username: "child", OwnerId: u.Id}
			},
			status: http.StatusBadRequest, errID: "plugin_api.bot_cant_create_bot",
		},
		{
			name: "EnableBotAccountCreation off does not apply to plugins",
			setup: func(s *Server) {
				s.UpdateConfig(func(c *model.Config) { c.ServiceSettings.EnableBotAccountCreation = model.NewBool(false) })
			},
			bot: func(*Server) *model.Bot { return &model.Bot{Username: "mybot"} },
		},
		{name: "user id given", bot: func(*Server) *model.Bot { return &model.Bot{Username: "mybot", UserId: model.NewId()} }, status: http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, api, _ := newTestServer(t)
			if tc.setup != nil {
				tc.setup(s)
			}
			in := tc.bot(s)
			b, err := api.CreateBot(in)
			if tc.status != 0 {
				wantAppErr(t, err, tc.status, tc.errID)
				return
			}
			noAppErr(t, err)
			if !model.IsValidId(b.UserId) || b.OwnerId != testPluginID || b.CreateAt == 0 {
				t.Fatalf("bot = %+v", b)
			}
			if in.OwnerId != "" || in.UserId != "" {
				t.Fatal("CreateBot changed the caller's struct")
			}
			u, err := api.GetUser(b.UserId)
			noAppErr(t, err)
			if !u.IsBot || u.Roles != "system_user" || u.Username != strings.ToLower(in.Username) ||
				u.BotDescription != in.Description || u.FirstName != in.DisplayName {
				t.Fatalf("backing user = %+v", u)
			}
		})
	}
}

func TestCreateBotWithHumanOwnerSendsDM(t *testing.T) {
	s, api, _ := newTestServer(t)
	rec := &recorder{}
	owner := s.CreateUser("owner")
	s.SetListener(rec)
	b, err := api.CreateBot(&model.Bot{Username: "helper", OwnerId: owner.Id})
	noAppErr(t, err)
	ch, ok := s.ChannelByName("", directChannelName(owner.Id, b.UserId))
	if !ok {
		t.Fatal("no DM between bot and owner")
	}
	posts := s.Posts(ch.Id)
	if len(posts) != 1 || posts[0].Type != PostTypeAddBotTeamsChannels || posts[0].UserId != b.UserId {
		t.Fatalf("posts = %+v", posts)
	}
	calls := rec.Calls()
	if len(calls) != 2 || !strings.HasPrefix(calls[0], "ChannelHasBeenCreated") || !strings.HasPrefix(calls[1], "MessageHasBeenPosted") {
		t.Fatalf("calls = %v", calls)
	}
}

func TestBotLifecycle(t *testing.T) {
	s, api, _ := newTestServer(t)
	b, err := api.CreateBot(&model.Bot{Username: "lifebot", DisplayName: "Life"})
	noAppErr(t, err)

	// Patch syncs the user.
	name := "renamed"
	desc := "new description"
	pb, err := api.PatchBot(b.UserId, &model.BotPatch{Username: &name, Description: &desc})
	noAppErr(t, err)
	if pb.Username != "renamed" || pb.Description != desc || pb.DisplayName != "Life" {
		t.Fatalf("patched = %+v", pb)
	}
	u, _ := api.GetUser(b.UserId)
	if u.Username != "renamed" || u.BotDescription != desc || u.Email != "renamed@localhost" {
		t.Fatalf("user after patch = %+v", u)
	}
	s.CreateUser("carol")
	taken := "carol"
	_, err = api.PatchBot(b.UserId, &model.BotPatch{Username: &taken})
	wantAppErr(t, err, http.StatusBadRequest, "app.user.save.username_exists.app_error")
	_, err = api.PatchBot(model.NewId(), &model.BotPatch{Username: &name})
	wantAppErr(t, err, http.StatusNotFound, "store.sql_bot.get.missing.app_error")

	// Deactivate: bot and user get DeleteAt; sessions go.
	tok := s.LoginUser(b.UserId)
	db, err := api.UpdateBotActive(b.UserId, false)
	noAppErr(t, err)
	u, _ = api.GetUser(b.UserId)
	if db.DeleteAt == 0 || u.DeleteAt == 0 {
		t.Fatalf("deactivate: bot %d user %d", db.DeleteAt, u.DeleteAt)
	}
	if _, ok := s.Authenticate(tok); ok {
		t.Fatal("session of a deactivated bot still authenticates")
	}
	_, err = api.GetBot(b.UserId, false)
	wantAppErr(t, err, http.StatusNotFound, "")
	if _, err = api.GetBot(b.UserId, true); err != nil {
		t.Fatal(err)
	}
	ab, err := api.UpdateBotActive(b.UserId, true)
	noAppErr(t, err)
	u, _ = api.GetUser(b.UserId)
	if ab.DeleteAt != 0 || u.DeleteAt != 0 {
		t.Fatal("reactivation did not clear DeleteAt")
	}

	// Icons: SVG only for bot icons, decodable images for profile pictures.
	wantAppErr(t, api.SetBotIconImage(b.UserId, testPNG), http.StatusBadRequest, "api.bot.set_bot_icon_image.app_error")
	noAppErr(t, api.SetBotIconImage(b.UserId, []byte(testSVG)))
	if string(s.BotIconImage(b.UserId)) != testSVG {
		t.Fatal("icon not stored")
	}
	if gb, _ := api.GetBot(b.UserId, false); gb.LastIconUpdate == 0 {
		t.Fatal("LastIconUpdate not set")
	}
	wantAppErr(t, api.SetProfileImage(b.UserId, []byte("not an image")), http.StatusBadRequest, "")
	noAppErr(t, api.SetProfileImage(b.UserId, testPNG))
	if len(s.ProfileImage(b.UserId)) != len(testPNG) {
		t.Fatal("profile image not stored")
	}

	// Permanent delete: only bots.
	human := s.CreateUser("human")
	wantAppErr(t, api.PermanentDeleteBot(human.Id), http.StatusBadRequest, "app.bot.permenent_delete.bad_id")
	noAppErr(t, api.PermanentDeleteBot(b.UserId))
	_, err = api.GetUser(b.UserId)
	wantAppErr(t, err, http.StatusNotFound, "app.user.missing_account.const")
	if len(s.Bots()) != 0 {
		t.Fatal("bot left after permanent delete")
	}
}

func TestGetBots(t *testing.T) {
	s, api, clk := newTestServer(t)
	other := s.ForPlugin(PluginManifest{Id: "other"}, "", "")
	owner := s.CreateUser("owner")
	var ids []string
	for _, n := range []string{"bot-c", "bot-a", "bot-b"} {
		b, err := api.CreateBot(&model.Bot{Username: n})
		noAppErr(t, err)
		ids = append(ids, b.UserId)
		clk.Advance(time.Second)
	}
	_, err := other.CreateBot(&model.Bot{Username: "bot-other"})
	noAppErr(t, err)
	_, err = api.CreateBot(&model.Bot{Username: "bot-human", OwnerId: owner.Id})
	noAppErr(t, err)
	_, err = api.UpdateBotActive(ids[1], false)
	noAppErr(t, err)

	names := func(list []*model.Bot) []string {
		var out []string
		for _, b := range list {
			out = append(out, b.Username)
		}
		return out
	}
	tests := []struct {
		opts model.BotGetOptions
		want []string
	}{
		// Ordered by CreateAt, then username (bot-other and bot-human share a CreateAt).
		{model.BotGetOptions{PerPage: 10}, []string{"bot-c", "bot-b", "bot-human", "bot-other"}},
		{model.BotGetOptions{PerPage: 10, IncludeDeleted: true}, []string{"bot-c", "bot-a", "bot-b", "bot-human", "bot-other"}},
		{model.BotGetOptions{PerPage: 10, OwnerId: testPluginID, IncludeDeleted: true}, []string{"bot-c", "bot-a", "bot-b"}},
		{model.BotGetOptions{PerPage: 2, Page: 1, IncludeDeleted: true}, []string{"bot-b", "bot-human"}},
		{model.BotGetOptions{PerPage: 0}, nil}, // LIMIT 0, as on the server
	}
	for _, tc := range tests {
		got, err := api.GetBots(&tc.opts)
		noAppErr(t, err)
		if !equalStrings(names(got), tc.want) {
			t.Errorf("GetBots(%+v) = %v, want %v", tc.opts, names(got), tc.want)
		}
	}
	// Deactivating the owner disables (and orphans) the bots the owner owns.
	noAppErr(t, api.UpdateUserActive(owner.Id, false))
	got, _ := api.GetBots(&model.BotGetOptions{PerPage: 10, OnlyOrphaned: true, IncludeDeleted: true})
	if !equalStrings(names(got), []string{"bot-human"}) || got[0].DeleteAt == 0 {
		t.Fatalf("orphans = %+v", got)
	}
}

func TestEnsureBotUser(t *testing.T) {
	want := &model.Bot{Username: "appsbot", DisplayName: "Apps", Description: "Apps bot"}
	tests := []struct {
		name  string
		setup func(t *testing.T, s *Server, api mmplugin.API) (wantID string)
		check func(t *testing.T, s *Server, api mmplugin.API, id string)
	}{
		{
			name:  "creates the bot and remembers it",
			setup: func(*testing.T, *Server, mmplugin.API) string { return "" },
		},
		{
			name: "reuses the remembered bot and syncs its profile",
			setup: func(t *testing.T, s *Server, api mmplugin.API) string {
				b, err := api.CreateBot(&model.Bot{Username: "oldname", DisplayName: "Old"})
				noAppErr(t, err)
				s.SetKV(testPluginID, mmplugin.BotIDKey, []byte(b.UserId))
				return b.UserId
			},
		},
		{
			name: "reactivates the remembered bot",
			setup: func(t *testing.T, s *Server, api mmplugin.API) string {
				b, err := api.CreateBot(&model.Bot{Username: "appsbot"})
				noAppErr(t, err)
				s.SetKV(testPluginID, mmplugin.BotIDKey, []byte(b.UserId))
				_, err = api.UpdateBotActive(b.UserId, false)
				noAppErr(t, err)
				return b.UserId
			},
			check: func(t *testing.T, s *Server, api mmplugin.API, id string) {
				u, _ := api.GetUser(id)
				if u.DeleteAt != 0 {
					t.Fatal("bot user still deactivated")
				}
			},
		},
		{
			name: "adopts an existing bot with the username",
			setup: func(t *testing.T, s *Server, api mmplugin.API) string {
				b, err := s.ForPlugin(PluginManifest{Id: "another"}, "", "").CreateBot(&model.Bot{Username: "appsbot"})
				noAppErr(t, err)
				return b.UserId
			},
			check: func(t *testing.T, s *Server, api mmplugin.API, id string) {
				// Adopted as is (the server does not patch here); the next call syncs it.
				if got := string(s.KV(testPluginID)[mmplugin.BotIDKey]); got != id {
					t.Fatalf("mmi_botid = %q, want %q", got, id)
				}
				if _, err := api.EnsureBotUser(&model.Bot{Username: "appsbot", DisplayName: "Apps"}); err != nil {
					t.Fatal(err)
				}
				if b, _ := api.GetBot(id, false); b.DisplayName != "Apps" || b.OwnerId != "another" {
					t.Fatalf("bot = %+v", b)
				}
			},
		},
		{
			name: "stale KV id falls through to creation",
			setup: func(t *testing.T, s *Server, api mmplugin.API) string {
				s.SetKV(testPluginID, mmplugin.BotIDKey, []byte(model.NewId()))
				return ""
			},
		},
		{
			name: "a normal user with the username is returned and logged",
			setup: func(t *testing.T, s *Server, api mmplugin.API) string {
				return s.CreateUser("appsbot").Id
			},
			check: func(t *testing.T, s *Server, api mmplugin.API, id string) {
				if _, ok := s.KV(testPluginID)[mmplugin.BotIDKey]; ok {
					t.Fatal("a normal user's id was remembered as the bot")
				}
				logs := s.Logs()
				if len(logs) != 1 || logs[0].Level != "error" || logs[0].PluginID != testPluginID {
					t.Fatalf("logs = %+v", logs)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, api, _ := newTestServer(t)
			wantID := tc.setup(t, s, api)
			in := *want
			id, err := api.EnsureBotUser(&in)
			if err != nil {
				t.Fatal(err)
			}
			if wantID != "" && id != wantID {
				t.Fatalf("id = %s, want %s", id, wantID)
			}
			if tc.check != nil {
				tc.check(t, s, api, id)
				return
			}
			b, gerr := api.GetBot(id, false)
			noAppErr(t, gerr)
			if b.Username != want.Username || b.DisplayName != want.DisplayName || b.Description != want.Description {
				t.Fatalf("bot = %+v", b)
			}
			if got := string(s.KV(testPluginID)[mmplugin.BotIDKey]); got != id {
				t.Fatalf("mmi_botid = %q, want %q", got, id)
			}
			// Idempotent.
			again, err := api.EnsureBotUser(&in)
			if err != nil || again != id {
				t.Fatalf("second call = %s, %v", again, err)
			}
		})
	}
}

func TestEnsureBotUserErrors(t *testing.T) {
	s, api, _ := newTestServer(t)
	if _, err := api.EnsureBotUser(&model.Bot{}); err == nil {
		t.Fatal("no username accepted")
	}
	if _, err := api.EnsureBotUser(&model.Bot{Username: "x"}); err == nil {
		t.Fatal("invalid username accepted")
	}
	// EnableBotAccountCreation does not stop EnsureBotUser (as on the server).
	s.UpdateConfig(func(c *model.Config) { c.ServiceSettings.EnableBotAccountCreation = model.NewBool(false) })
	id, err := api.EnsureBotUser(&model.Bot{Username: "stillworks"})
	if err != nil || id == "" {
		t.Fatalf("EnsureBotUser with bot creation disabled: %q, %v", id, err)
	}
	b, _ := api.GetBot(id, false)
	if b.OwnerId != testPluginID {
		t.Fatalf("owner = %s", b.OwnerId)
	}
	// The mmplugin fallback agrees with the server on the normal paths.
	fid, err := mmplugin.EnsureBotWithAPI(api, &model.Bot{Username: "stillworks"})
	if err != nil || fid != id {
		t.Fatalf("EnsureBotWithAPI = %s, %v", fid, err)
	}
}
