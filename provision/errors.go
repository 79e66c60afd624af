package provision

import (
	"errors"
	"fmt"

	"github.com/mattermost-community/apps-plugin/apps"
)

// Kind classifies an error for the caller (appsctl maps it to an exit code).
type Kind int

const (
	// KindAWS: AWS (or network) failed, or AWS is not in the state needed
	// (missing bucket or role). Exit code 1.
	KindAWS Kind = iota
	// KindBundle: the bundle is bad (unreadable, invalid manifest, missing
	// function archive, over a limit). Exit code 2.
	KindBundle
	// KindUsage: bad options or configuration (a flag, missing credentials,
	// a change that needs --update). Exit code 2.
	KindUsage
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindBundle:
		return "bundle"
	case KindUsage:
		return "usage"
	}
	return "aws"
}

// ExitCode is the process exit code for errors of this kind.
func (k Kind) ExitCode() int {
	if k == KindAWS {
		return 1
	}
	return 2
}

// Error is an error with a Kind.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// UsageError returns a KindUsage error.
func UsageError(format string, args ...any) error {
	return &Error{Kind: KindUsage, Err: fmt.Errorf(format, args...)}
}

// BundleError returns a KindBundle error.
func BundleError(format string, args ...any) error {
	return &Error{Kind: KindBundle, Err: fmt.Errorf(format, args...)}
}

// awsError wraps err (an AWS or network failure) with what was being done.
func awsError(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return &Error{Kind: pe.Kind, Err: fmt.Errorf(format+": %w", append(args, err)...)}
	}
	return &Error{Kind: KindAWS, Err: fmt.Errorf(format+": %w", append(args, err)...)}
}

// KindOf classifies err: the Kind of the outermost *Error; otherwise
// KindBundle for errors matching apps.ErrInvalid (bad bundles, manifests)
// and KindAWS for anything else.
func KindOf(err error) Kind {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	if errors.Is(err, apps.ErrInvalid) {
		return KindBundle
	}
	return KindAWS
}

// ExitCode is the exit code for err: 0 for nil, 2 for bad bundles and
// usage, 1 for AWS and network errors.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	return KindOf(err).ExitCode()
}
