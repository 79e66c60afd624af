package apps

import "errors"

// DeployType is a way to run (and reach) an app.
type DeployType string

const (
	// DeployHTTP: the app runs elsewhere and is reached over HTTP.
	DeployHTTP DeployType = "http"
	// DeployAWSLambda: the app runs as AWS Lambda functions, with static
	// assets in S3.
	DeployAWSLambda DeployType = "aws_lambda"
	// DeployOpenFaaS: the app runs as OpenFaaS functions.
	DeployOpenFaaS DeployType = "open_faas"
	// DeployPlugin: the app is served by a Mattermost plugin.
	DeployPlugin DeployType = "plugin"
	// DeployBuiltin: the app is built into the apps plugin (BuiltinAppID only).
	DeployBuiltin DeployType = "builtin"
)

// KnownDeployTypes lists every deploy type, sorted.
func KnownDeployTypes() []DeployType {
	return []DeployType{DeployAWSLambda, DeployBuiltin, DeployHTTP, DeployOpenFaaS, DeployPlugin}
}

// Validate checks that t is a known deploy type.
func (t DeployType) Validate() error {
	for _, k := range KnownDeployTypes() {
		if t == k {
			return nil
		}
	}
	return NewInvalidError("unknown deploy type %q", string(t))
}

// String returns a display name.
func (t DeployType) String() string {
	switch t {
	case DeployHTTP:
		return "HTTP"
	case DeployAWSLambda:
		return "AWS Lambda"
	case DeployOpenFaaS:
		return "OpenFaaS"
	case DeployPlugin:
		return "Mattermost Plugin"
	case DeployBuiltin:
		return "Built-in"
	}
	return string(t)
}

// HTTP describes an app reached over HTTP. Call paths are appended to RootURL.
type HTTP struct {
	RootURL string `json:"root_url,omitempty"`
	// UseJWT makes the plugin send a JWT (see NewJWT) with every request.
	UseJWT bool `json:"use_jwt,omitempty"`
}

// Validate checks the section.
func (h *HTTP) Validate() error {
	if h == nil {
		return nil
	}
	if h.RootURL == "" {
		return NewInvalidError("http.root_url must be set for HTTP apps")
	}
	if err := ValidateHTTPURL(h.RootURL); err != nil {
		return NewInvalidError("http.root_url: %w", err)
	}
	return nil
}

// AWSLambda describes an app deployed as AWS Lambda functions.
type AWSLambda struct {
	Functions []AWSLambdaFunction `json:"functions,omitempty"`
}

// AWSLambdaFunction is one Lambda function of an app. A call goes to the
// function whose Path is the longest prefix of the call path.
type AWSLambdaFunction struct {
	Path    string `json:"path"`
	Name    string `json:"name"`
	Handler string `json:"handler"`
	Runtime string `json:"runtime"`
}

// Validate checks that the function is complete.
func (f AWSLambdaFunction) Validate() error {
	var errs []error
	for _, p := range []struct{ field, value string }{
		{"path", f.Path}, {"name", f.Name}, {"handler", f.Handler}, {"runtime", f.Runtime},
	} {
		if p.value == "" {
			errs = append(errs, NewInvalidError("aws_lambda function %q: %s must not be empty", f.Name, p.field))
		}
	}
	return errors.Join(errs...)
}

// Validate checks the section: at least one function, each complete, names
// unique.
func (a *AWSLambda) Validate() error {
	if a == nil {
		return nil
	}
	if len(a.Functions) == 0 {
		return NewInvalidError("aws_lambda must list at least one function")
	}
	var errs []error
	seen := map[string]bool{}
	for _, f := range a.Functions {
		if err := f.Validate(); err != nil {
			errs = append(errs, err)
		}
		if f.Name != "" && seen[f.Name] {
			errs = append(errs, NewInvalidError("aws_lambda function name %q is used twice", f.Name))
		}
		seen[f.Name] = true
	}
	return errors.Join(errs...)
}

// OpenFaaS describes an app deployed as OpenFaaS functions.
type OpenFaaS struct {
	Functions []OpenFaaSFunction `json:"functions,omitempty"`
}

// OpenFaaSFunction is one OpenFaaS function of an app.
type OpenFaaSFunction struct {
	Path string `json:"path"`
	Name string `json:"name"`
}

// Validate checks the section.
func (o *OpenFaaS) Validate() error {
	if o == nil {
		return nil
	}
	if len(o.Functions) == 0 {
		return NewInvalidError("open_faas must list at least one function")
	}
	var errs []error
	for _, f := range o.Functions {
		if f.Path == "" {
			errs = append(errs, NewInvalidError("open_faas function %q: path must not be empty", f.Name))
		}
		if f.Name == "" {
			errs = append(errs, NewInvalidError("open_faas function with path %q: name must not be empty", f.Path))
		}
	}
	return errors.Join(errs...)
}

// Plugin describes an app served by a Mattermost plugin.
type Plugin struct {
	PluginID string `json:"plugin_id,omitempty"`
}

// Validate checks the section.
func (p *Plugin) Validate() error {
	if p == nil {
		return nil
	}
	if p.PluginID == "" {
		return NewInvalidError("plugin.plugin_id must be set for plugin apps")
	}
	return nil
}

// Builtin marks the app built into the apps plugin. It is allowed only for
// BuiltinAppID. In JSON it is the (non-upstream) section "builtin": {}, so that
// the builtin app's manifest round-trips.
type Builtin struct{}

// PluginAppPath is where a plugin app serves calls and static assets:
// /<plugin_id>/app/<path>.
const PluginAppPath = "/app"
