package uphttp

import (
	"net/url"
	"path"
	"strings"

	"github.com/mattermost-community/apps-plugin/apps"
)

// maxUnescapeRounds bounds repeated unescaping of call paths.
const maxUnescapeRounds = 8

// CallURL returns the URL a call to callPath goes to: rootURL + "/" +
// callPath, with the call path URL-unescaped until stable and path.Clean-ed.
// A query string in callPath is kept. Paths with ".." segments (however
// escaped), NUL bytes or backslashes are refused (the error matches
// apps.ErrInvalid).
func CallURL(rootURL, callPath string) (*url.URL, error) {
	root, err := url.Parse(rootURL)
	if err != nil {
		return nil, apps.NewInvalidError("root_url %q: %v", rootURL, err)
	}
	if (root.Scheme != "http" && root.Scheme != "https") || root.Host == "" {
		return nil, apps.NewInvalidError("root_url %q: must be an absolute http or https URL", rootURL)
	}
	p, query, _ := strings.Cut(callPath, "?")
	if i := strings.IndexByte(query, '#'); i >= 0 {
		query = query[:i]
	}
	clean, err := cleanPath(p)
	if err != nil {
		return nil, err
	}
	u := *root
	u.Path = path.Clean("/" + root.Path + "/" + clean)
	u.RawPath = ""
	u.Fragment, u.RawFragment = "", ""
	switch {
	case u.RawQuery == "":
		u.RawQuery = query
	case query != "":
		u.RawQuery += "&" + query
	}
	return &u, nil
}

// cleanPath unescapes p until stable and checks it.
func cleanPath(p string) (string, error) {
	unescaped := p
	for i := 0; ; i++ {
		if i == maxUnescapeRounds {
			return "", apps.NewInvalidError("path %q: too many levels of URL escaping", p)
		}
		u, err := url.PathUnescape(unescaped)
		if err != nil {
			return "", apps.NewInvalidError("path %q: %v", p, err)
		}
		if u == unescaped {
			break
		}
		unescaped = u
	}
	switch {
	case strings.ContainsRune(unescaped, 0):
		return "", apps.NewInvalidError("path %q: contains a NUL byte", p)
	case strings.Contains(unescaped, `\`):
		return "", apps.NewInvalidError("path %q: contains a backslash", p)
	}
	for _, seg := range strings.Split(unescaped, "/") {
		if seg == ".." {
			return "", apps.NewInvalidError("path %q: must not contain '..'", p)
		}
	}
	return path.Clean("/" + unescaped), nil
}
