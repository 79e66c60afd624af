package apps

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// OutgoingAuthHeader carries the JWT the plugin sends to HTTP apps, as
// "Bearer <token>".
const OutgoingAuthHeader = "Mattermost-App-Authorization"

const bearerPrefix = "Bearer "

// JWTClaims are the claims of the JWTs sent to HTTP apps: exp (now +
// JWTLifetime) and acting_user_id.
type JWTClaims struct {
	jwt.RegisteredClaims
	ActingUserID string `json:"acting_user_id,omitempty"`
}

// NewJWT returns an HS256 JWT signed with secret, valid for JWTLifetime from
// now, carrying actingUserID. An empty secret is refused.
func NewJWT(secret, actingUserID string, now time.Time) (string, error) {
	if secret == "" {
		return "", NewInvalidError("JWT secret is empty")
	}
	claims := JWTClaims{
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(now.Add(JWTLifetime))},
		ActingUserID:     actingUserID,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}

// ParseJWT verifies an HS256 token signed with secret and returns its
// claims. The token must carry exp, be unexpired at now, and not be used
// before its nbf (if any). Other algorithms, including "none", are refused.
// Errors match ErrUnauthorized.
func ParseJWT(token, secret string, now time.Time) (*JWTClaims, error) {
	if secret == "" {
		return nil, newUnauthorizedError("JWT secret is empty")
	}
	if token == "" {
		return nil, newUnauthorizedError("JWT is empty")
	}
	if len(token) > MaxJWTSize {
		return nil, newUnauthorizedError("JWT is %d bytes, the limit is %d", len(token), MaxJWTSize)
	}
	claims := &JWTClaims{}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithoutClaimsValidation(),
	)
	_, err := parser.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) {
		return []byte(secret), nil
	})
	if err != nil {
		return nil, newUnauthorizedError("invalid JWT: %v", err)
	}
	if claims.ExpiresAt == nil {
		return nil, newUnauthorizedError("invalid JWT: no exp claim")
	}
	if !now.Before(claims.ExpiresAt.Time) {
		return nil, newUnauthorizedError("invalid JWT: expired at %s", claims.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if claims.NotBefore != nil && now.Before(claims.NotBefore.Time) {
		return nil, newUnauthorizedError("invalid JWT: not valid before %s", claims.NotBefore.UTC().Format(time.RFC3339))
	}
	return claims, nil
}

// BearerToken returns the header value "Bearer <token>".
func BearerToken(token string) string { return bearerPrefix + token }

// TokenFromBearer extracts the token from a "Bearer <token>" header value
// (the scheme is case-insensitive).
func TokenFromBearer(value string) (string, error) {
	if len(value) < len(bearerPrefix) || !strings.EqualFold(value[:len(bearerPrefix)], bearerPrefix) {
		return "", newUnauthorizedError("authorization is not a Bearer token")
	}
	token := strings.TrimSpace(value[len(bearerPrefix):])
	if token == "" {
		return "", newUnauthorizedError("bearer token is empty")
	}
	return token, nil
}

// SetJWTHeader signs a JWT (see NewJWT) and sets OutgoingAuthHeader on h.
func SetJWTHeader(h http.Header, secret, actingUserID string, now time.Time) error {
	token, err := NewJWT(secret, actingUserID, now)
	if err != nil {
		return err
	}
	h.Set(OutgoingAuthHeader, BearerToken(token))
	return nil
}

// VerifyJWTHeader reads OutgoingAuthHeader from h and verifies it (see
// ParseJWT). Apps use it to check that a request comes from the plugin.
func VerifyJWTHeader(h http.Header, secret string, now time.Time) (*JWTClaims, error) {
	v := h.Get(OutgoingAuthHeader)
	if v == "" {
		return nil, newUnauthorizedError("missing %s header", OutgoingAuthHeader)
	}
	token, err := TokenFromBearer(v)
	if err != nil {
		return nil, err
	}
	return ParseJWT(token, secret, now)
}

// IsUnauthorized reports whether err matches ErrUnauthorized.
func IsUnauthorized(err error) bool { return errors.Is(err, ErrUnauthorized) }
