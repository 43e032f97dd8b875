// Package httpapi is what the consent function's endpoints are built from,
// whatever runs them: a request and its answer as plain values (Request,
// Response), routing by path and method (Router), JSON answers and errors,
// strict decoding of what a client sent, the Origin check of writes, and
// the anonymised network a visitor is recorded under. The endpoints are
// in packages records and requests; package api puts them behind one
// handler and runs it in the Lambda and under net/http.
package httpapi

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Request is an HTTP request, independent of how it arrived.
type Request struct {
	Method, Path, RawQuery string // Path as sent, still escaped
	Header                 http.Header
	Body                   []byte
	ClientAddr             string // the visitor's IP, with or without a port
}

// Response is an endpoint's answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Endpoint answers one method of a route; params are the values of the
// route's {…} segments, in order.
type Endpoint func(ctx context.Context, req Request, params []string) Response

// Route is one path of the API and the endpoint of each method it takes.
type Route struct {
	Pattern string // segments; "{name}" matches any one non-empty segment
	Methods map[string]Endpoint
}

// Router answers requests by its routes.
type Router struct {
	Routes []Route
	// Timeout is the budget of one request's store and mail calls, the
	// deadline of the context an endpoint gets; 0: none.
	Timeout time.Duration
}

// Serve answers req. It never panics on any input and every error answer
// of its own is JSON {"error": code, "message": text}: 404 for a path no
// route matches, 405 with Allow for a method the route does not take.
func (r Router) Serve(ctx context.Context, req Request) Response {
	for _, route := range r.Routes {
		params, ok := match(route.Pattern, req.Path)
		if !ok {
			continue
		}
		fn, ok := route.Methods[req.Method]
		if !ok {
			resp := Error(http.StatusMethodNotAllowed, "method_not_allowed", req.Method+" is not allowed here")
			resp.Header.Set("Allow", strings.Join(slices.Sorted(maps.Keys(route.Methods)), ", "))
			return resp
		}
		if r.Timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, r.Timeout)
			defer cancel()
		}
		return fn(ctx, req, params)
	}
	return Error(http.StatusNotFound, "not_found", "no such endpoint")
}

func match(pattern, path string) (params []string, ok bool) {
	want, got := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return nil, false
	}
	for i, w := range want {
		switch {
		case strings.HasPrefix(w, "{"):
			if got[i] == "" {
				return nil, false
			}
			params = append(params, got[i])
		case w != got[i]:
			return nil, false
		}
	}
	return params, true
}

// Clock tells the time an endpoint records; nil is the system's clock.
// Tests set their own.
type Clock func() time.Time

// Now is the time by c.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}
