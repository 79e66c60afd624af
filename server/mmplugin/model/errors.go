package model

import (
	"fmt"
	"net/http"
)

// AppError is the server's error type. It crosses the wire as a plain struct in
// fields declared *AppError, and under the registered name "*model.AppError" in
// fields declared error.
type AppError struct {
	Id              string `json:"id"`
	Message         string `json:"message"`
	DetailedError   string `json:"detailed_error"`
	RequestId       string `json:"request_id,omitempty"`
	StatusCode      int    `json:"status_code,omitempty"`
	Where           string `json:"-"`
	IsOAuth         bool   `json:"is_oauth,omitempty"`
	SkipTranslation bool   `json:"-"`
}

// NewAppError builds an AppError the way the server does; params are not
// carried (the wire drops them), so the message is the final text.
func NewAppError(where, id, message, details string, status int) *AppError {
	return &AppError{Id: id, Message: message, DetailedError: details, StatusCode: status, Where: where}
}

// Error formats like the server: "where: message, details".
func (e *AppError) Error() string {
	if e == nil {
		return "<nil>"
	}
	s := e.Message
	if e.Where != "" {
		s = e.Where + ": " + s
	}
	if e.DetailedError != "" {
		s += ", " + e.DetailedError
	}
	return s
}

// IsNotFound reports whether err is an AppError with status 404.
func IsNotFound(err error) bool {
	var ae *AppError
	return asAppError(err, &ae) && ae.StatusCode == http.StatusNotFound
}

func asAppError(err error, target **AppError) bool {
	for err != nil {
		if ae, ok := err.(*AppError); ok && ae != nil {
			*target = ae
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// AsError turns a possibly-nil *AppError into an error without the typed-nil trap
// (a nil *AppError stored in an error interface is not == nil).
func AsError(e *AppError) error {
	if e == nil {
		return nil
	}
	return e
}

// Errorf wraps a non-nil *AppError with context; it returns nil for nil.
func Errorf(e *AppError, format string, args ...any) error {
	if e == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, e)...)
}
