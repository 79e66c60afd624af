package mmplugin

import (
	"database/sql"
	"database/sql/driver"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

// ErrorString is the server's plugin.ErrorString: how any error that is not an
// AppError crosses the wire in a field declared `error`. Code maps a few
// well-known sentinel errors so the receiving side can restore them.
type ErrorString struct {
	Code int
	Err  string
}

func (e *ErrorString) Error() string { return e.Err }

// Unwrap restores the sentinel the code stands for, so errors.Is works across
// the process boundary.
func (e *ErrorString) Unwrap() error {
	if e.Code > 0 && e.Code <= len(sentinelErrors) {
		return sentinelErrors[e.Code-1]
	}
	return nil
}

// sentinelErrors is indexed by ErrorString.Code-1; the order is the server's.
var sentinelErrors = [...]error{
	io.EOF,
	sql.ErrNoRows,
	sql.ErrConnDone,
	sql.ErrTxDone,
	driver.ErrSkip,
	driver.ErrBadConn,
	driver.ErrRemoveArgument,
}

// The wire names below are the server's gob registrations. Only these names can
// travel in interface-typed fields (errors, props maps, autocomplete data).
func init() {
	gob.RegisterName("*model.AppError", &model.AppError{})
	gob.RegisterName("*plugin.ErrorString", &ErrorString{})
	gob.Register([]any{})
	gob.Register(map[string]any{})
	gob.RegisterName("[]*model.SlackAttachment", []*model.SlackAttachment{})
	gob.RegisterName("*model.AutocompleteTextArg", &model.AutocompleteTextArg{})
	gob.RegisterName("*model.AutocompleteStaticListArg", &model.AutocompleteStaticListArg{})
	gob.RegisterName("*model.AutocompleteDynamicListArg", &model.AutocompleteDynamicListArg{})
}

// encodableError converts err into a value gob can send in an `error` field:
// nil, a *model.AppError, or an *ErrorString.
func encodableError(err error) error {
	if err == nil {
		return nil
	}
	var ae *model.AppError
	if errors.As(err, &ae) {
		if ae == nil {
			return nil
		}
		if e, ok := err.(*model.AppError); ok {
			return e
		}
		// Keep the outer context: the wire cannot carry a wrapped chain.
		return &model.AppError{Id: ae.Id, Message: err.Error(), StatusCode: ae.StatusCode, Where: ae.Where}
	}
	es := &ErrorString{Err: err.Error()}
	for i, s := range sentinelErrors {
		if errors.Is(err, s) {
			es.Code = i + 1
			break
		}
	}
	return es
}

// rpcAppError describes a failed RPC (lost connection, decode error, missing
// method on an older server) as the AppError the caller expects.
func rpcAppError(method string, err error) *model.AppError {
	return model.NewAppError(method, "mmplugin.rpc.app_error", "RPC call "+method+" failed", err.Error(), http.StatusInternalServerError)
}

func errHookNotImplemented(name string) error {
	return fmt.Errorf("hook %s is not implemented by this plugin", name)
}

// IsMethodNotFound reports whether err is net/rpc's answer to a method the
// peer does not have: how a plugin detects an older server.
func IsMethodNotFound(err error) bool {
	return err != nil && strings.Contains(err.Error(), "rpc: can't find method")
}
