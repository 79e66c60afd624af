package apps

import (
	"errors"
	"strings"
)

// Location is where in the user interface a binding lives, as a path of
// segments, e.g. "/command/helloworld/send" or "/channel_header/send".
type Location string

// Top-level locations.
const (
	LocationPostMenu      Location = "/post_menu"
	LocationChannelHeader Location = "/channel_header"
	LocationCommand       Location = "/command"
	// LocationInPost is for bindings embedded in posts (post prop
	// "app_bindings").
	LocationInPost Location = "/in_post"
)

// TopLocations lists the top-level locations, including LocationInPost.
func TopLocations() Locations {
	return Locations{LocationPostMenu, LocationChannelHeader, LocationCommand, LocationInPost}
}

// IsTop reports whether l is a top-level location an app can request
// (post menu, channel header, command).
func (l Location) IsTop() bool {
	switch l {
	case LocationPostMenu, LocationChannelHeader, LocationCommand:
		return true
	}
	return false
}

// In reports whether l is other or nested under it, segment by segment:
// "/command/app/send" is in "/command/app" but "/command/apptrigger" is not.
// (Upstream used a plain string prefix; segment containment is stricter.)
func (l Location) In(other Location) bool {
	o := strings.TrimSuffix(string(other), "/")
	if o == "" {
		return false
	}
	s := string(l)
	return s == o || strings.HasPrefix(s, o+"/")
}

// Sub returns the location of sub nested under l.
func (l Location) Sub(sub Location) Location {
	if sub == "" {
		return l
	}
	if strings.HasPrefix(string(sub), "/") {
		return l + sub
	}
	return l + "/" + sub
}

// Validate checks that l is a top-level location or nested under one, with
// no empty segments.
func (l Location) Validate() error {
	if !strings.HasPrefix(string(l), "/") {
		return NewInvalidError("unknown location %q: must start with '/'", string(l))
	}
	for _, seg := range strings.Split(string(l)[1:], "/") {
		if seg == "" {
			return NewInvalidError("location %q has an empty segment", string(l))
		}
	}
	for _, top := range TopLocations() {
		if l.In(top) {
			return nil
		}
	}
	return NewInvalidError("unknown location %q (known: /post_menu, /channel_header, /command, /in_post)", string(l))
}

// Markdown describes the location for a consent screen.
func (l Location) Markdown() string {
	s := string(l)
	if !strings.HasPrefix(s, "/") {
		return s
	}
	tokens := strings.Split(s[1:], "/")
	switch Location("/" + tokens[0]) {
	case LocationPostMenu:
		return "Post Menu items"
	case LocationChannelHeader:
		return "Channel Header buttons"
	case LocationCommand:
		if len(tokens) < 2 || tokens[1] == "" {
			return "Slash commands"
		}
		return "`/" + strings.Join(tokens[1:], " ") + "` command"
	case LocationInPost:
		return "Post embedded bindings"
	}
	return s
}

// Locations is a list of locations.
type Locations []Location

// Includes reports whether l is one of the locations or nested under one
// (see Location.In); it is how granted locations are checked.
func (ll Locations) Includes(l Location) bool {
	for _, x := range ll {
		if l.In(x) {
			return true
		}
	}
	return false
}

// Validate validates every location.
func (ll Locations) Validate() error {
	var errs []error
	for _, l := range ll {
		if err := l.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
