package infra

import (
	"bytes"
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

const errorLogsMetric = "ErrorLogs"

// The function answers a failed store or SES call with a 503 and an
// ERROR log line, and Lambda counts the invocation as a success: the
// alarm on those lines is the only one that sees it. Its filter must match
// the lines the function really writes at ERROR and nothing else it or
// Lambda writes, in particular not a WARN line that quotes a caller's path
// (the Function URL is public).
func TestErrorLogMetricFilter(t *testing.T) {
	tpl, root := openTemplate(t), loadYAML(t, "template.yaml")
	filters := tpl.GetAllLogsMetricFilterResources()
	if len(filters) != 1 {
		t.Fatalf("%d metric filters, want one on the function's log", len(filters))
	}
	var pattern, namespace string
	for id, f := range filters {
		props := get(root, "Resources", id, "Properties")
		if got := tagged(get(props, "LogGroupName")); got != "!Ref FunctionLogGroup" {
			t.Errorf("%s reads %s, want the function's log group", id, got)
		}
		if len(f.MetricTransformations) != 1 {
			t.Fatalf("%s: %d metrics, want 1", id, len(f.MetricTransformations))
		}
		m := f.MetricTransformations[0]
		if m.MetricName != errorLogsMetric || m.MetricValue != "1" {
			t.Errorf("%s: metric %s = %s, want %s = 1 per line", id, m.MetricName, m.MetricValue, errorLogsMetric)
		}
		pattern = f.FilterPattern
		namespace = tagged(get(get(props, "MetricTransformations").Content[0], "MetricNamespace"))
	}

	var alarmed bool
	for id, a := range tpl.GetAllCloudWatchAlarmResources() {
		if deref(a.MetricName) != errorLogsMetric {
			continue
		}
		alarmed = true
		props := get(root, "Resources", id, "Properties")
		if got := tagged(get(props, "Namespace")); got != namespace {
			t.Errorf("%s watches namespace %s, the filter writes %s", id, got, namespace)
		}
		if deref(a.Statistic) != "Sum" || deref(a.Period) != 300 || a.EvaluationPeriods != 1 || a.Threshold == nil || *a.Threshold != 1 ||
			a.ComparisonOperator != "GreaterThanOrEqualToThreshold" || deref(a.TreatMissingData) != "notBreaching" {
			t.Errorf("%s: want Sum >= 1 in 5 minutes, quiet without data; have %s %v %d×%ds %s %s", id,
				deref(a.Statistic), deref(a.Threshold), a.EvaluationPeriods, deref(a.Period), a.ComparisonOperator, deref(a.TreatMissingData))
		}
	}
	if !alarmed {
		t.Fatalf("no alarm on %s", errorLogsMetric)
	}

	// The function logs through slog's default logger: it makes no logger
	// of its own (its main leaves api.Config.Log nil) and changes neither
	// slog's default nor the log package's format. If that ever changes (a
	// JSON handler, say), the filter must change with it.
	fset := token.NewFileSet()
	for _, f := range functionFiles(t) {
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && (pkg.Name == "slog" && (sel.Sel.Name == "SetDefault" || sel.Sel.Name == "New") ||
					pkg.Name == "log" && strings.HasPrefix(sel.Sel.Name, "Set")) {
					t.Errorf("%s: %s.%s: the function sets up its own logging; ErrorLogMetricFilter reads slog's default text lines",
						fset.Position(sel.Pos()), pkg.Name, sel.Sel.Name)
				}
			}
			return true
		})
	}

	// What slog's default logger writes, as the function calls it.
	var buf bytes.Buffer
	out, flags := log.Writer(), log.Flags()
	log.SetOutput(&buf)
	defer func() { log.SetOutput(out); log.SetFlags(flags) }()
	log.SetFlags(log.LstdFlags)
	line := func(f func()) string {
		buf.Reset()
		f()
		return strings.TrimSuffix(buf.String(), "\n")
	}
	ctx := context.Background()
	errorLines := []string{
		line(func() {
			slog.Default().ErrorContext(ctx, "consent: store failed", "err", errors.New(`operation error DynamoDB: PutItem, "throttled"`))
		}),
		line(func() {
			slog.Default().ErrorContext(ctx, "data request: confirmation email not sent", "ref", "R-1", "code", "MessageRejected")
		}),
		line(func() { slog.Error("consent function: configuration", "err", errors.New("TABLE_NAME is not set")) }),
	}
	otherLines := []string{
		line(func() {
			slog.Default().WarnContext(ctx, "refused a request without the origin secret", "method", "ERROR", "path", "/ERROR x ERROR")
		}),
		line(func() { slog.Default().InfoContext(ctx, "ERROR", "ERROR", "ERROR") }),
		"START RequestId: 8f5c1a2e-0000-4000-8000-000000000000 Version: $LATEST",
		"END RequestId: 8f5c1a2e-0000-4000-8000-000000000000",
		"REPORT RequestId: 8f5c1a2e-0000-4000-8000-000000000000\tDuration: 12.00 ms\tBilled Duration: 13 ms",
	}
	for _, l := range errorLines {
		if !matchSpaceDelimited(t, pattern, l) {
			t.Errorf("filter %q misses the ERROR line %q", pattern, l)
		}
	}
	for _, l := range otherLines {
		if matchSpaceDelimited(t, pattern, l) {
			t.Errorf("filter %q counts %q, which is no error", pattern, l)
		}
	}
}

// matchSpaceDelimited applies a CloudWatch Logs filter pattern to a log
// line. A space-delimited pattern ("[a, b = V, ...]": named fields, exact
// values, a trailing ellipsis): fields are separated by spaces, and a field
// in double quotes or square brackets is one field. A single bare term
// (ERROR): the line contains it. The subset a filter here may use; anything
// else fails the test.
func matchSpaceDelimited(t *testing.T, pattern, line string) bool {
	t.Helper()
	if regexp.MustCompile(`^\w+$`).MatchString(pattern) {
		return strings.Contains(line, pattern)
	}
	inner, ok := strings.CutPrefix(pattern, "[")
	if inner, ok = strings.CutSuffix(inner, "]"); !ok {
		t.Fatalf("filter %q: neither a term nor a space-delimited pattern", pattern)
	}
	var fields []string
	for rest := line; rest != ""; {
		rest = strings.TrimLeft(rest, " ")
		end := strings.IndexByte(rest, ' ')
		switch {
		case rest == "":
			continue
		case rest[0] == '"':
			end = strings.IndexByte(rest[1:], '"') + 2
		case rest[0] == '[':
			end = strings.IndexByte(rest, ']') + 1
		}
		if end <= 0 || end > len(rest) {
			end = len(rest)
		}
		fields = append(fields, rest[:end])
		rest = rest[end:]
	}
	want := strings.Split(inner, ",")
	for i, w := range want {
		w = strings.TrimSpace(w)
		if w == "..." {
			if i != len(want)-1 {
				t.Fatalf("filter %q: an ellipsis other than last", pattern)
			}
			return true
		}
		if i >= len(fields) {
			return false
		}
		if _, v, ok := strings.Cut(w, "="); ok && fields[i] != strings.Trim(strings.TrimSpace(v), `"`) {
			return false
		}
	}
	return len(fields) == len(want)
}
