package apps_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/mattermost-community/apps-plugin/apps"
)

var jwtNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func TestJWTRoundTrip(t *testing.T) {
	token, err := apps.NewJWT("secret", "user1", jwtNow)
	if err != nil {
		t.Fatal(err)
	}
	// Header and claims as upstream: HS256, {"exp": now+15min, "acting_user_id"}.
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q", token)
	}
	var header, claims map[string]any
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	if header["alg"] != "HS256" || header["typ"] != "JWT" {
		t.Errorf("header %v", header)
	}
	if len(claims) != 2 || claims["acting_user_id"] != "user1" || claims["exp"] != float64(jwtNow.Add(15*time.Minute).Unix()) {
		t.Errorf("claims %v", claims)
	}

	got, err := apps.ParseJWT(token, "secret", jwtNow.Add(14*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got.ActingUserID != "user1" {
		t.Errorf("claims %+v", got)
	}

	h := http.Header{}
	if err := apps.SetJWTHeader(h, "secret", "user2", jwtNow); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h.Get("Mattermost-App-Authorization"), "Bearer ") {
		t.Errorf("header %q", h.Get(apps.OutgoingAuthHeader))
	}
	c, err := apps.VerifyJWTHeader(h, "secret", jwtNow)
	if err != nil || c.ActingUserID != "user2" {
		t.Errorf("VerifyJWTHeader: %+v %v", c, err)
	}
}

func signWith(t *testing.T, method jwt.SigningMethod, key any, claims jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJWTRejects(t *testing.T) {
	good, _ := apps.NewJWT("secret", "u", jwtNow)
	exp := jwt.NewNumericDate(jwtNow.Add(time.Minute))
	for name, tc := range map[string]struct {
		token, secret string
		now           time.Time
		want          string
	}{
		"expired":       {good, "secret", jwtNow.Add(15 * time.Minute), "expired"},
		"wrong secret":  {good, "other", jwtNow, "signature is invalid"},
		"empty secret":  {good, "", jwtNow, "secret is empty"},
		"empty token":   {"", "secret", jwtNow, "JWT is empty"},
		"garbage":       {"a.b.c", "secret", jwtNow, "invalid JWT"},
		"too large":     {strings.Repeat("a", apps.MaxJWTSize+1), "secret", jwtNow, "limit"},
		"alg none":      {signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, apps.JWTClaims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: exp}}), "secret", jwtNow, "invalid JWT"},
		"alg HS512":     {signWith(t, jwt.SigningMethodHS512, []byte("secret"), apps.JWTClaims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: exp}}), "secret", jwtNow, "signing method HS512 is invalid"},
		"no exp":        {signWith(t, jwt.SigningMethodHS256, []byte("secret"), apps.JWTClaims{ActingUserID: "u"}), "secret", jwtNow, "no exp"},
		"not yet valid": {signWith(t, jwt.SigningMethodHS256, []byte("secret"), apps.JWTClaims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: exp, NotBefore: exp}}), "secret", jwtNow, "not valid before"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := apps.ParseJWT(tc.token, tc.secret, tc.now)
			if err == nil || !errors.Is(err, apps.ErrUnauthorized) || !apps.IsUnauthorized(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseJWT: %v, want ErrUnauthorized containing %q", err, tc.want)
			}
		})
	}
	if _, err := apps.NewJWT("", "u", jwtNow); !errors.Is(err, apps.ErrInvalid) {
		t.Errorf("NewJWT with empty secret: %v", err)
	}
	for _, v := range []string{"", "Basic x", "Bearer ", "Bearer"} {
		h := http.Header{}
		if v != "" {
			h.Set(apps.OutgoingAuthHeader, v)
		}
		if _, err := apps.VerifyJWTHeader(h, "secret", jwtNow); !errors.Is(err, apps.ErrUnauthorized) {
			t.Errorf("header %q: %v", v, err)
		}
	}
	if tok, err := apps.TokenFromBearer("bearer abc"); err != nil || tok != "abc" {
		t.Errorf("lower-case bearer: %q %v", tok, err)
	}
}
