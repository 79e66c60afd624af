package apps

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// Sentinel errors. Errors returned by this package (and apps/bundle) wrap one
// or more of them; test with errors.Is.
var (
	// ErrInvalid marks input that breaks a rule: a bad manifest, an unknown
	// permission, an unsafe path, ...
	ErrInvalid = errors.New("invalid")

	// ErrTooLarge marks input over a documented size limit. Such errors also
	// match ErrInvalid.
	ErrTooLarge = errors.New("too large")

	// ErrUnauthorized marks a JWT that is missing, malformed, expired or
	// signed with another secret.
	ErrUnauthorized = errors.New("unauthorized")
)

// taggedError carries a message and the sentinels it matches.
type taggedError struct {
	err  error
	tags []error
}

func (e *taggedError) Error() string { return e.err.Error() }

func (e *taggedError) Unwrap() []error { return append([]error{e.err}, e.tags...) }

// NewInvalidError returns an error with the formatted message that matches
// ErrInvalid (and any error wrapped with %w in the format).
func NewInvalidError(format string, args ...any) error {
	return &taggedError{err: fmt.Errorf(format, args...), tags: []error{ErrInvalid}}
}

// NewTooLargeError returns an error with the formatted message that matches
// ErrTooLarge and ErrInvalid.
func NewTooLargeError(format string, args ...any) error {
	return &taggedError{err: fmt.Errorf(format, args...), tags: []error{ErrTooLarge, ErrInvalid}}
}

func newUnauthorizedError(format string, args ...any) error {
	return &taggedError{err: fmt.Errorf(format, args...), tags: []error{ErrUnauthorized}}
}

// ValidateHTTPURL checks that s is an absolute http or https URL with a host.
func ValidateHTTPURL(s string) error {
	if s == "" {
		return NewInvalidError("URL is empty")
	}
	u, err := url.ParseRequestURI(s)
	if err != nil {
		return NewInvalidError("URL %q: %v", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return NewInvalidError("URL %q: scheme must be http or https", s)
	}
	if u.Host == "" {
		return NewInvalidError("URL %q: no host", s)
	}
	return nil
}

// maxUnescapeRounds bounds repeated URL unescaping of static paths.
const maxUnescapeRounds = 8

// CleanStaticPath validates and cleans the name of a static asset (a path
// relative to the app's static folder, e.g. "icon.png" or "img/a.png"). The
// name is URL-unescaped until stable; it must not be empty, absolute, contain
// ".." segments, NUL bytes or backslashes.
func CleanStaticPath(name string) (string, error) {
	if name == "" {
		return "", NewInvalidError("static path is empty")
	}
	unescaped := name
	for i := 0; ; i++ {
		if i == maxUnescapeRounds {
			return "", NewInvalidError("static path %q: too many levels of URL escaping", name)
		}
		u, err := url.PathUnescape(unescaped)
		if err != nil {
			return "", NewInvalidError("static path %q: %v", name, err)
		}
		if u == unescaped {
			break
		}
		unescaped = u
	}
	switch {
	case strings.ContainsRune(unescaped, 0):
		return "", NewInvalidError("static path %q: contains a NUL byte", name)
	case strings.Contains(unescaped, `\`):
		return "", NewInvalidError("static path %q: contains a backslash", name)
	case strings.HasPrefix(unescaped, "/"):
		return "", NewInvalidError("static path %q: must be relative (no leading '/')", name)
	}
	for _, seg := range strings.Split(unescaped, "/") {
		if seg == ".." {
			return "", NewInvalidError("static path %q: must not contain '..'", name)
		}
	}
	cleaned := path.Clean(unescaped)
	if cleaned == "." {
		return "", NewInvalidError("static path %q: names no file", name)
	}
	return cleaned, nil
}
