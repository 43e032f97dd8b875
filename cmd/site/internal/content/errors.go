package content

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
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

// yamlLine matches the "line N: message" that go.yaml.in/yaml/v3 puts in
// its syntax and type errors. It and atLine are compiled when an error first
// needs them, not at every start.
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+): (.*)`) })

var atLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`at line \d+`) })

// YAMLError turns a YAML error into one *Error per problem, with lines
// shifted by offset (the lines above the YAML, e.g. a front matter fence).
func YAMLError(file string, offset int, err error) error {
	var es Errors
	for _, line := range strings.Split(err.Error(), "\n") {
		m := yamlLine().FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		// "already defined at line N" names a line of the YAML too.
		msg := atLine().ReplaceAllStringFunc(m[2], func(s string) string {
			k, _ := strconv.Atoi(strings.TrimPrefix(s, "at line "))
			return fmt.Sprintf("at line %d", k+offset)
		})
		es = append(es, Errorf(file, n+offset, "%s", msg))
	}
	if len(es) == 0 {
		return &Error{File: file, Line: offset + 1, Err: fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	return es.Err()
}
