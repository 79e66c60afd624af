package mmplugin

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/mattermost-community/apps-plugin/server/mmplugin/model"
)

func TestEncodableError(t *testing.T) {
	appErr := &model.AppError{Id: "app.x", Message: "not found", DetailedError: "d", StatusCode: http.StatusNotFound, Where: "GetX"}
	var typedNil *model.AppError
	plain := errors.New("boom")

	cases := []struct {
		name     string
		in       error
		wantNil  bool
		wantSame bool   // the very same *model.AppError
		status   int    // for AppError results
		code     int    // for ErrorString results
		text     string // ErrorString.Err, or a substring of AppError.Message
		sentinel error  // errors.Is must hold on the result
	}{
		{name: "nil", in: nil, wantNil: true},
		{name: "typed nil AppError", in: typedNil, wantNil: true},
		{name: "AppError", in: appErr, wantSame: true, status: 404},
		{name: "wrapped AppError", in: fmt.Errorf("load app: %w", appErr), status: 404, text: "load app: "},
		{name: "double-wrapped AppError", in: fmt.Errorf("a: %w", fmt.Errorf("b: %w", appErr)), status: 404, text: "a: b: "},
		{name: "io.EOF", in: io.EOF, code: 1, text: "EOF", sentinel: io.EOF},
		{name: "wrapped io.EOF", in: fmt.Errorf("read: %w", io.EOF), code: 1, text: "read: EOF", sentinel: io.EOF},
		{name: "sql.ErrNoRows", in: sql.ErrNoRows, code: 2, text: sql.ErrNoRows.Error(), sentinel: sql.ErrNoRows},
		{name: "sql.ErrConnDone", in: sql.ErrConnDone, code: 3, text: sql.ErrConnDone.Error(), sentinel: sql.ErrConnDone},
		{name: "sql.ErrTxDone", in: sql.ErrTxDone, code: 4, text: sql.ErrTxDone.Error(), sentinel: sql.ErrTxDone},
		{name: "driver.ErrSkip", in: driver.ErrSkip, code: 5, text: driver.ErrSkip.Error(), sentinel: driver.ErrSkip},
		{name: "driver.ErrBadConn", in: driver.ErrBadConn, code: 6, text: driver.ErrBadConn.Error(), sentinel: driver.ErrBadConn},
		{name: "driver.ErrRemoveArgument", in: driver.ErrRemoveArgument, code: 7, text: driver.ErrRemoveArgument.Error(), sentinel: driver.ErrRemoveArgument},
		{name: "plain error", in: plain, code: 0, text: "boom"},
		{name: "ErrorString passes through", in: &ErrorString{Code: 0, Err: "remote"}, code: 0, text: "remote"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := encodableError(c.in)
			if c.wantNil {
				if got != nil {
					t.Fatalf("got %#v, want nil", got)
				}
				return
			}
			// Whatever we return must survive an `error` field on the wire
			// and arrive with the same meaning.
			var ret Z_OnActivateReturns
			gobDecode(t, gobEncode(t, &Z_OnActivateReturns{A: got}), &ret)
			if !reflect.DeepEqual(ret.A, got) {
				t.Errorf("wire round trip: %#v != %#v", ret.A, got)
			}
			switch e := got.(type) {
			case *model.AppError:
				if c.status == 0 {
					t.Fatalf("got an AppError %#v, want an ErrorString", e)
				}
				if c.wantSame && e != appErr {
					t.Errorf("AppError was copied")
				}
				if e.StatusCode != c.status || e.Id != appErr.Id || e.Where != appErr.Where {
					t.Errorf("AppError = %#v", e)
				}
				if c.text != "" && !strings.Contains(e.Message, c.text) {
					t.Errorf("message %q lacks the context %q", e.Message, c.text)
				}
				var back *model.AppError
				if !errors.As(ret.A, &back) || back.StatusCode != c.status {
					t.Errorf("after the wire: %#v", ret.A)
				}
			case *ErrorString:
				if c.status != 0 {
					t.Fatalf("got an ErrorString %#v, want an AppError", e)
				}
				if e.Code != c.code || e.Err != c.text || e.Error() != c.text {
					t.Errorf("ErrorString = %#v, want code %d text %q", e, c.code, c.text)
				}
				if c.sentinel != nil && !errors.Is(ret.A, c.sentinel) {
					t.Errorf("errors.Is(%v, %v) is false after the wire", ret.A, c.sentinel)
				}
				if c.sentinel == nil && errors.Unwrap(ret.A) != nil {
					t.Errorf("Code 0 unwraps to %v", errors.Unwrap(ret.A))
				}
			default:
				t.Fatalf("unregistered error type %T", got)
			}
		})
	}
}

func TestErrorStringUnwrap(t *testing.T) {
	for code, want := range map[int]error{
		-1: nil, 0: nil, 1: io.EOF, 2: sql.ErrNoRows, 3: sql.ErrConnDone, 4: sql.ErrTxDone,
		5: driver.ErrSkip, 6: driver.ErrBadConn, 7: driver.ErrRemoveArgument, 8: nil, 100: nil,
	} {
		if got := (&ErrorString{Code: code, Err: "x"}).Unwrap(); got != want {
			t.Errorf("code %d unwraps to %v, want %v", code, got, want)
		}
	}
	// The server's own sentinel mapping decodes the same way: an ErrorString
	// as a 6.x+ server sends it, in a concrete field and in an error field.
	var es ErrorString
	gobDecode(t, gobEncode(t, &srvErrorString{Code: 2, Err: "sql: no rows in result set"}), &es)
	if !errors.Is(&es, sql.ErrNoRows) {
		t.Errorf("server ErrorString code 2 is not sql.ErrNoRows: %#v", es)
	}
	// v5.x servers send no Code: the text survives, no sentinel.
	var old ErrorString
	gobDecode(t, gobEncode(t, &srv5ErrorString{Err: "EOF"}), &old)
	if old.Err != "EOF" || old.Code != 0 || errors.Unwrap(&old) != nil {
		t.Errorf("v5 ErrorString = %#v", old)
	}
}

func TestIsMethodNotFound(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("rpc: can't find method Plugin.PluginHTTPStream"), true},
		{fmt.Errorf("x: %w", errors.New("rpc: can't find method Plugin.EnsureBotUser")), true},
		{errors.New("rpc: can't find service Plugin.X"), false},
		{errors.New("unexpected EOF"), false},
	} {
		if got := IsMethodNotFound(c.err); got != c.want {
			t.Errorf("IsMethodNotFound(%v) = %v", c.err, got)
		}
	}
}
