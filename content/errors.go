package content

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a problem in one source file, reported as "file:line: message" so
// that editors and their tools can jump to it.
type Error struct {
	File string // path relative to the source root, slash-separated
	Line int    // 1-based; 0 when the problem is the file as a whole
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error at file:line.
func Errorf(file string, line int, format string, args ...any) error {
	return &Error{File: file, Line: line, Err: fmt.Errorf(format, args...)}
}

// Errors collects every problem found, so that one run shows them all.
type Errors []error

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns nil when there is nothing to report.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// List flattens err into its individual problems.
func List(err error) []error {
	var es Errors
	if errors.As(err, &es) {
		var out []error
		for _, e := range es {
			out = append(out, List(e)...)
		}
		return out
	}
	if err == nil {
		return nil
	}
	return []error{err}
}
