package apps

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode"
)

// AppID identifies an app: 3 to 32 bytes of letters, digits, '-', '_' and '.'.
type AppID string

// BuiltinAppID is the ID of the app built into the apps plugin (the /apps
// command).
const BuiltinAppID AppID = "apps"

// Validate checks the AppID rules.
func (id AppID) Validate() error {
	if len(id) < MinAppIDLength || len(id) > MaxAppIDLength {
		return NewInvalidError("app_id %q must be %d to %d bytes long, it is %d",
			string(id), MinAppIDLength, MaxAppIDLength, len(id))
	}
	if c, bad := firstBadIDRune(string(id)); bad {
		return NewInvalidError("app_id %q: invalid character %q (allowed: letters, digits, '-', '_', '.')", string(id), c)
	}
	return nil
}

// AppVersion is an app's version, at most 10 bytes (like "v00_00_000") of
// letters, digits, '-', '_' and '.'; it may be empty.
type AppVersion string

// Validate checks the AppVersion rules.
func (v AppVersion) Validate() error {
	if len(v) > MaxVersionLength {
		return NewInvalidError("version %q is too long: at most %d bytes (like %q)", string(v), MaxVersionLength, VersionFormat)
	}
	if c, bad := firstBadIDRune(string(v)); bad {
		return NewInvalidError("version %q: invalid character %q (allowed: letters, digits, '-', '_', '.')", string(v), c)
	}
	return nil
}

func firstBadIDRune(s string) (rune, bool) {
	for _, c := range s {
		if c == unicode.ReplacementChar || !(unicode.IsLetter(c) || unicode.IsNumber(c) || c == '-' || c == '_' || c == '.') {
			return c, true
		}
	}
	return 0, false
}

// RemoteWebhookAuthType says how incoming remote webhooks are authenticated.
type RemoteWebhookAuthType string

const (
	// RemoteWebhookAuthTypeDefault ("") is the same as secret.
	RemoteWebhookAuthTypeDefault RemoteWebhookAuthType = ""
	// RemoteWebhookAuthTypeNone accepts any webhook.
	RemoteWebhookAuthTypeNone RemoteWebhookAuthType = "none"
	// RemoteWebhookAuthTypeSecret requires ?secret=<webhook_secret>.
	RemoteWebhookAuthTypeSecret RemoteWebhookAuthType = "secret"
	// RemoteWebhookAuthTypeJWT is reserved (not implemented upstream).
	RemoteWebhookAuthTypeJWT RemoteWebhookAuthType = "jwt"
)

// Validate checks that t is known.
func (t RemoteWebhookAuthType) Validate() error {
	switch t {
	case RemoteWebhookAuthTypeDefault, RemoteWebhookAuthTypeNone, RemoteWebhookAuthTypeSecret, RemoteWebhookAuthTypeJWT:
		return nil
	}
	return NewInvalidError("unknown remote_webhook_auth_type %q", string(t))
}

// Manifest describes an app. It decodes from both the v1 form (deploy
// sections http, aws_lambda, open_faas, plugin) and the v0.x form (app_type,
// top-level root_url, top-level aws_lambda array); it always encodes as v1.
//
// Use DecodeManifest (or ReadManifest) to decode and validate in one step.
type Manifest struct {
	// SchemaVersion is set by the plugin that stores the manifest.
	SchemaVersion string `json:"SchemaVersion,omitempty"`

	AppID       AppID      `json:"app_id"`
	Version     AppVersion `json:"version"`
	HomepageURL string     `json:"homepage_url"`
	DisplayName string     `json:"display_name,omitempty"`
	Description string     `json:"description,omitempty"`
	// Icon is a path in the app's static folder.
	Icon string `json:"icon,omitempty"`

	// Callbacks; nil means the default (see Default*Call) or "not called".
	Bindings            *Call `json:"bindings,omitempty"`
	OnInstall           *Call `json:"on_install,omitempty"`
	OnVersionChanged    *Call `json:"on_version_changed,omitempty"`
	OnUninstall         *Call `json:"on_uninstall,omitempty"`
	OnEnable            *Call `json:"on_enable,omitempty"`
	OnDisable           *Call `json:"on_disable,omitempty"`
	GetOAuth2ConnectURL *Call `json:"get_oauth2_connect_url,omitempty"`
	OnOAuth2Complete    *Call `json:"on_oauth2_complete,omitempty"`
	OnRemoteWebhook     *Call `json:"on_remote_webhook,omitempty"`

	RequestedPermissions  Permissions           `json:"requested_permissions,omitempty"`
	RemoteWebhookAuthType RemoteWebhookAuthType `json:"remote_webhook_auth_type,omitempty"`
	RequestedLocations    Locations             `json:"requested_locations,omitempty"`

	// Deploy sections: the ways the app can be deployed.
	HTTP      *HTTP      `json:"http,omitempty"`
	AWSLambda *AWSLambda `json:"aws_lambda,omitempty"`
	OpenFaaS  *OpenFaaS  `json:"open_faas,omitempty"`
	Plugin    *Plugin    `json:"plugin,omitempty"`
	Builtin   *Builtin   `json:"builtin,omitempty"`
}

// DecodeManifest decodes a manifest (v1 or v0.x form, at most
// MaxManifestSize bytes) and validates it.
func DecodeManifest(data []byte) (*Manifest, error) {
	if len(data) > MaxManifestSize {
		return nil, NewTooLargeError("manifest is %d bytes, the limit is %d", len(data), MaxManifestSize)
	}
	m := &Manifest{}
	if err := m.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// ReadManifest reads at most MaxManifestSize bytes from r and calls
// DecodeManifest.
func ReadManifest(r io.Reader) (*Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxManifestSize+1))
	if err != nil {
		return nil, err
	}
	return DecodeManifest(data)
}

// plainManifest has Manifest's fields and JSON tags but not its methods.
type plainManifest Manifest

// manifestWire is what a manifest decodes from: the v1 fields plus the v0.x
// ones. Its AWSLambda shadows the embedded one: it is an object in v1 and an
// array in v0.x.
type manifestWire struct {
	*plainManifest
	AWSLambda json.RawMessage `json:"aws_lambda,omitempty"`
	AppType   *string         `json:"app_type,omitempty"`
	RootURL   *string         `json:"root_url,omitempty"`
	PluginID  *string         `json:"plugin_id,omitempty"`
}

// permissionActAsAdmin is a v0.x permission with no v1 equivalent; it is
// dropped when a v0.x manifest is decoded.
const permissionActAsAdmin Permission = "act_as_admin"

// UnmarshalJSON decodes the v1 or the v0.x form into the normalized model. It
// rejects forms that contradict themselves (an app_type without its data,
// app_type mixed with v1 deploy sections). It does not call Validate.
func (m *Manifest) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	var out Manifest
	w := manifestWire{plainManifest: (*plainManifest)(&out)}
	if err := json.Unmarshal(data, &w); err != nil {
		var terr *json.UnmarshalTypeError
		if errors.As(err, &terr) && terr.Field != "" {
			field := strings.TrimPrefix(terr.Field, "plainManifest.")
			return NewInvalidError("manifest: field %q: cannot decode a JSON %s into %s", field, terr.Value, terr.Type)
		}
		return NewInvalidError("manifest is not valid JSON: %v", err)
	}

	var v0Functions []AWSLambdaFunction
	raw := bytes.TrimSpace(w.AWSLambda)
	switch {
	case len(raw) == 0 || string(raw) == "null":
	case raw[0] == '{':
		out.AWSLambda = &AWSLambda{}
		if err := json.Unmarshal(raw, out.AWSLambda); err != nil {
			return NewInvalidError("manifest: aws_lambda: %v", err)
		}
	case raw[0] == '[':
		v0Functions = []AWSLambdaFunction{}
		if err := json.Unmarshal(raw, &v0Functions); err != nil {
			return NewInvalidError("manifest: aws_lambda (v0.x array): %v", err)
		}
	default:
		return NewInvalidError("manifest: aws_lambda must be an object (v1) or an array of functions (v0.x)")
	}

	if w.AppType == nil {
		switch {
		case w.RootURL != nil:
			return NewInvalidError(`manifest: top-level "root_url" is a v0.x field and needs "app_type": "http" (v1 uses "http": {"root_url": ...})`)
		case w.PluginID != nil:
			return NewInvalidError(`manifest: top-level "plugin_id" is a v0.x field and needs "app_type": "plugin" (v1 uses "plugin": {"plugin_id": ...})`)
		case v0Functions != nil:
			return NewInvalidError(`manifest: a top-level "aws_lambda" array is the v0.x form and needs "app_type": "aws_lambda" (v1 uses "aws_lambda": {"functions": [...]})`)
		}
		*m = out
		return nil
	}

	if err := out.fromV0(*w.AppType, w.RootURL, w.PluginID, v0Functions); err != nil {
		return err
	}
	*m = out
	return nil
}

// fromV0 fills the deploy section selected by a v0.x app_type.
func (m *Manifest) fromV0(appType string, rootURL, pluginID *string, functions []AWSLambdaFunction) error {
	if dt := m.DeployTypes(); len(dt) > 0 {
		return NewInvalidError("manifest: v0.x \"app_type\" cannot be combined with the v1 deploy section %q", string(dt[0]))
	}
	conflict := func(field string) error {
		return NewInvalidError("manifest: app_type %q conflicts with the top-level %q field (a v0.x manifest has one app type)", appType, field)
	}
	switch DeployType(appType) {
	case DeployHTTP:
		if rootURL == nil || *rootURL == "" {
			return NewInvalidError(`manifest: app_type "http" requires a top-level "root_url"`)
		}
		if functions != nil {
			return conflict("aws_lambda")
		}
		if pluginID != nil {
			return conflict("plugin_id")
		}
		// v0.x always sent a JWT to HTTP apps.
		m.HTTP = &HTTP{RootURL: *rootURL, UseJWT: true}
	case DeployAWSLambda:
		if len(functions) == 0 {
			return NewInvalidError(`manifest: app_type "aws_lambda" requires a non-empty top-level "aws_lambda" array`)
		}
		if rootURL != nil {
			return conflict("root_url")
		}
		if pluginID != nil {
			return conflict("plugin_id")
		}
		m.AWSLambda = &AWSLambda{Functions: functions}
	case DeployPlugin:
		if pluginID == nil || *pluginID == "" {
			return NewInvalidError(`manifest: app_type "plugin" requires a top-level "plugin_id"`)
		}
		if rootURL != nil {
			return conflict("root_url")
		}
		if functions != nil {
			return conflict("aws_lambda")
		}
		m.Plugin = &Plugin{PluginID: *pluginID}
	case DeployBuiltin:
		switch {
		case rootURL != nil:
			return conflict("root_url")
		case functions != nil:
			return conflict("aws_lambda")
		case pluginID != nil:
			return conflict("plugin_id")
		}
		m.Builtin = &Builtin{}
	default:
		return NewInvalidError("manifest: unknown app_type %q (v0.x knows http, aws_lambda, plugin, builtin)", appType)
	}

	// v0.x had the expand level "none"; v1 writes it "".
	for _, c := range m.callbacks() {
		if c != nil && c.Expand != nil {
			for _, l := range c.Expand.levelPtrs() {
				if *l == "none" {
					*l = ExpandNone
				}
			}
		}
	}

	if len(m.RequestedPermissions) > 0 {
		pp := Permissions{}
		for _, p := range m.RequestedPermissions {
			if p != permissionActAsAdmin {
				pp = append(pp, p)
			}
		}
		m.RequestedPermissions = pp
	}
	return nil
}

// callbacks returns the manifest's callback calls (some may be nil).
func (m *Manifest) callbacks() []*Call {
	return []*Call{m.Bindings, m.OnInstall, m.OnVersionChanged, m.OnUninstall, m.OnEnable, m.OnDisable,
		m.GetOAuth2ConnectURL, m.OnOAuth2Complete, m.OnRemoteWebhook}
}

// DeployTypes lists the deploy types the manifest has a section for, sorted.
func (m Manifest) DeployTypes() []DeployType {
	var out []DeployType
	if m.AWSLambda != nil {
		out = append(out, DeployAWSLambda)
	}
	if m.Builtin != nil {
		out = append(out, DeployBuiltin)
	}
	if m.HTTP != nil {
		out = append(out, DeployHTTP)
	}
	if m.OpenFaaS != nil {
		out = append(out, DeployOpenFaaS)
	}
	if m.Plugin != nil {
		out = append(out, DeployPlugin)
	}
	return out
}

// SupportsDeploy reports whether the manifest has a valid section for t.
func (m Manifest) SupportsDeploy(t DeployType) bool {
	switch t {
	case DeployAWSLambda:
		return m.AWSLambda != nil && m.AWSLambda.Validate() == nil
	case DeployHTTP:
		return m.HTTP != nil && m.HTTP.Validate() == nil
	case DeployOpenFaaS:
		return m.OpenFaaS != nil && m.OpenFaaS.Validate() == nil
	case DeployPlugin:
		return m.Plugin != nil && m.Plugin.Validate() == nil
	case DeployBuiltin:
		return m.Builtin != nil && m.AppID == BuiltinAppID
	}
	return false
}

// Validate checks the manifest against the v1.2.2 rules. All problems are
// reported (joined); the error matches ErrInvalid.
func (m Manifest) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(m.AppID.Validate())
	add(m.Version.Validate())
	if strings.TrimSpace(m.DisplayName) == "" {
		add(NewInvalidError("display_name must not be empty"))
	}
	if m.HomepageURL == "" {
		add(NewInvalidError("homepage_url must not be empty"))
	} else if err := ValidateHTTPURL(m.HomepageURL); err != nil {
		add(NewInvalidError("homepage_url: %w", err))
	}
	if m.Icon != "" {
		if _, err := CleanStaticPath(m.Icon); err != nil {
			add(NewInvalidError("icon: %w", err))
		}
	}
	if len(m.DeployTypes()) == 0 {
		add(NewInvalidError("manifest has no deploy section (http, aws_lambda, open_faas or plugin)"))
	}
	add(m.HTTP.Validate())
	add(m.AWSLambda.Validate())
	add(m.OpenFaaS.Validate())
	add(m.Plugin.Validate())
	if m.Builtin != nil && m.AppID != BuiltinAppID {
		add(NewInvalidError("app %q: the builtin deploy type is reserved for the %q app", string(m.AppID), string(BuiltinAppID)))
	}
	add(m.RequestedPermissions.Validate())
	add(m.RequestedLocations.Validate())
	add(m.RemoteWebhookAuthType.Validate())
	return errors.Join(errs...)
}
