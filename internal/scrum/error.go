package scrum

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code classifies a domain error. internal/problem maps each code to an
// HTTP status in one place; the domain never speaks HTTP.
type Code string

// The error codes the domain returns.
const (
	CodeMalformed       Code = "malformed"       // the request could not be read at all
	CodeInvalid         Code = "invalid"         // one or more fields are wrong
	CodeUnauthenticated Code = "unauthenticated" // no or bad credentials
	CodeForbidden       Code = "forbidden"       // known actor, not allowed
	CodeNotFound        Code = "not_found"       // unknown or not visible to the actor
	CodeConflict        Code = "conflict"        // stale version or state conflict
	CodeTooLarge        Code = "too_large"       // a body or collection over its cap
	CodeThrottled       Code = "throttled"       // slow down
	CodeUnavailable     Code = "unavailable"     // a dependency (the database) is down
)

// FieldError names one bad input field.
type FieldError struct {
	Field   string
	Message string
	Row     int // the 1-based row of an uploaded file (header = 1), 0 otherwise
}

// Need describes what a refused actor lacked: the responsibility and who
// holds it, so the refusal can tell the user whom to ask.
type Need struct {
	Responsibility string
	Owner          Owner
	Holders        []Person
}

// Error is the domain's error value. Construct it with the helpers below.
type Error struct {
	Code       Code
	Message    string
	Fields     []FieldError  // CodeInvalid: every bad field
	Need       *Need         // CodeForbidden
	RetryAfter time.Duration // CodeThrottled
	Version    int           // CodeConflict on a stale write: the current version
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Errorf returns an *Error with the given code and message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports that what (e.g. "team") is unknown or not visible.
func NotFound(what string) *Error {
	return &Error{Code: CodeNotFound, Message: what + " not found"}
}

// Stale reports a write against an outdated version.
func Stale(what string, current int) *Error {
	return &Error{Code: CodeConflict, Version: current,
		Message: fmt.Sprintf("%s was changed by someone else (now at version %d); reload and try again", what, current)}
}

// ErrorCode returns the code of err, or "" when err is not a domain error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsCode reports whether err is a domain error with the given code.
func IsCode(err error, code Code) bool { return ErrorCode(err) == code }

// Validation collects field errors so a request gets all of them at once.
type Validation struct {
	fields []FieldError
}

// Add records a bad field.
func (v *Validation) Add(field, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Check records a bad field when ok is false.
func (v *Validation) Check(ok bool, field, format string, args ...any) {
	if !ok {
		v.Add(field, format, args...)
	}
}

// Err returns nil when nothing was recorded, or a CodeInvalid error.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: "some fields are invalid", Fields: v.fields}
}

// Invalid is a shortcut for a single bad field.
func Invalid(field, format string, args ...any) *Error {
	var v Validation
	v.Add(field, format, args...)
	return v.Err().(*Error)
}

func asError(err error, target **Error) bool { return errors.As(err, target) }
