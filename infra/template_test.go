package infra

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.yaml.in/yaml/v3"

	"pelqim/functions/consent/store/dynamo"
)

const cachingDisabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" // AWS managed cache policy

func TestBucketIsPrivate(t *testing.T) {
	tpl, root := openTemplate(t), loadYAML(t, "template.yaml")
	b, err := tpl.GetS3BucketWithName("SiteBucket")
	if err != nil {
		t.Fatal(err)
	}
	pab := b.PublicAccessBlockConfiguration
	if pab == nil || !deref(pab.BlockPublicAcls) || !deref(pab.BlockPublicPolicy) || !deref(pab.IgnorePublicAcls) || !deref(pab.RestrictPublicBuckets) {
		t.Errorf("public access block: want all four settings true, have %+v", pab)
	}
	if b.AccessControl != nil {
		t.Errorf("canned ACL %q: the bucket must have none", *b.AccessControl)
	}
	if b.OwnershipControls == nil || deref(b.OwnershipControls.Rules[0].ObjectOwnership) != "BucketOwnerEnforced" {
		t.Error("ACLs must be disabled (ObjectOwnership BucketOwnerEnforced)")
	}
	if b.VersioningConfiguration == nil || b.VersioningConfiguration.Status != "Enabled" {
		t.Error("versioning is off")
	}
	if b.BucketEncryption == nil || len(b.BucketEncryption.ServerSideEncryptionConfiguration) == 0 {
		t.Error("no default encryption")
	}
	if b.WebsiteConfiguration != nil {
		t.Error("a website endpoint is public by design")
	}

	policies := resourcesOfType(root, "AWS::S3::BucketPolicy")
	if len(policies) != 1 {
		t.Fatalf("want one bucket policy, have %d", len(policies))
	}
	for id, p := range policies {
		if got := tagged(get(p, "Properties", "Bucket")); got != "!Ref SiteBucket" {
			t.Errorf("%s applies to %s", id, got)
		}
		for _, st := range get(p, "Properties", "PolicyDocument", "Statement").Content {
			if val(get(st, "Effect")) != "Allow" {
				continue
			}
			if svc := get(st, "Principal", "Service"); svc == nil || svc.Value != "cloudfront.amazonaws.com" || len(keys(get(st, "Principal"))) != 1 {
				t.Errorf("line %d: an Allow whose principal is not the CloudFront service alone", st.Line)
			}
			if acts := scalars(get(st, "Action")); !slices.Equal(acts, []string{"s3:GetObject"}) {
				// s3:ListBucket would turn a missing key's 403 into a 404, which the error page mapping relies on.
				t.Errorf("line %d: CloudFront may do %q, want only s3:GetObject", st.Line, acts)
			}
			src := get(st, "Condition", "StringEquals", "AWS:SourceArn")
			if src == nil || src.Tag != "!Sub" || !strings.Contains(src.Value, ":distribution/${Distribution}") {
				t.Errorf("line %d: the read is not limited to this distribution (AWS:SourceArn = %s)", st.Line, tagged(src))
			}
		}
	}
}

func TestOriginAccessControl(t *testing.T) {
	tpl, root := openTemplate(t), loadYAML(t, "template.yaml")
	oacType := map[string]string{}
	for id, o := range tpl.GetAllCloudFrontOriginAccessControlResources() {
		c := o.OriginAccessControlConfig
		if c.SigningBehavior != "always" || c.SigningProtocol != "sigv4" {
			t.Errorf("%s signs %s/%s, want always/sigv4", id, c.SigningBehavior, c.SigningProtocol)
		}
		oacType[id] = c.OriginAccessControlOriginType
	}
	origins := get(root, "Resources", "Distribution", "Properties", "DistributionConfig", "Origins")
	want := map[string]struct{ domain, oacType string }{
		"site": {"!GetAtt SiteBucket.RegionalDomainName", "s3"},
		"api":  {"!Select", "lambda"},
	}
	for _, o := range origins.Content {
		id := val(get(o, "Id"))
		w, ok := want[id]
		if !ok {
			t.Errorf("unexpected origin %s", id)
			continue
		}
		delete(want, id)
		if got := tagged(get(o, "DomainName")); !strings.HasPrefix(got, w.domain) {
			t.Errorf("origin %s domain %s, want %s", id, got, w.domain)
		}
		oac := get(o, "OriginAccessControlId")
		if oac == nil || oac.Tag != "!GetAtt" || oacType[strings.TrimSuffix(oac.Value, ".Id")] != w.oacType {
			t.Errorf("origin %s: want an OAC of type %s, have %s", id, w.oacType, tagged(oac))
		}
	}
	if len(want) > 0 {
		t.Errorf("origins missing: %v", want)
	}
	if oai := get(origins.Content[0], "S3OriginConfig", "OriginAccessIdentity"); oai == nil || oai.Value != "" {
		t.Error("the S3 origin must not use a legacy origin access identity")
	}
	for _, o := range origins.Content {
		if val(get(o, "Id")) == "api" && !slices.Contains(withTag(get(o, "DomainName"), "!GetAtt"), "FunctionUrl.FunctionUrl") {
			t.Error("the api origin's domain is not taken from the Function URL")
		}
	}

	for id, u := range tpl.GetAllLambdaUrlResources() {
		if u.AuthType != "AWS_IAM" {
			t.Errorf("%s: AuthType %s, want AWS_IAM (only CloudFront's signed requests)", id, u.AuthType)
		}
	}
	perms := resourcesOfType(root, "AWS::Lambda::Permission")
	actions := map[string]bool{}
	for id, p := range perms {
		props := get(p, "Properties")
		actions[val(get(props, "Action"))] = true
		if val(get(props, "Principal")) != "cloudfront.amazonaws.com" {
			t.Errorf("%s: principal %s, want cloudfront.amazonaws.com", id, val(get(props, "Principal")))
		}
		if src := get(props, "SourceArn"); src == nil || !strings.Contains(src.Value, ":distribution/${Distribution}") {
			t.Errorf("%s: not limited to this distribution", id)
		}
	}
	if !actions["lambda:InvokeFunctionUrl"] || !actions["lambda:InvokeFunction"] {
		t.Errorf("permissions %v: CloudFront needs InvokeFunctionUrl and (for URLs since October 2025) InvokeFunction", actions)
	}
}

// Allow statements of every IAM role: no wildcard actions, no "*" resource.
// A wildcard is accepted only where the ARN cannot be narrower: the table's
// indexes (table/x/index/*).
func TestLeastPrivilegeIAM(t *testing.T) {
	root := loadYAML(t, "template.yaml")
	narrowWildcard := regexp.MustCompile(`/index/\*$`)
	var fnActions []string
	for id, role := range resourcesOfType(root, "AWS::IAM::Role") {
		for _, pol := range get(role, "Properties", "Policies").Content {
			for _, st := range get(pol, "PolicyDocument", "Statement").Content {
				if val(get(st, "Effect")) != "Allow" {
					continue
				}
				for _, a := range scalars(get(st, "Action")) {
					if strings.Contains(a, "*") {
						t.Errorf("%s line %d: wildcard action %s", id, st.Line, a)
					}
					fnActions = append(fnActions, a)
				}
				res := get(st, "Resource")
				if res == nil {
					t.Errorf("%s line %d: no Resource", id, st.Line)
					continue
				}
				items := []*yaml.Node{res}
				if res.Kind == yaml.SequenceNode && res.Tag == "!!seq" {
					items = res.Content
				}
				for _, r := range items {
					v := r.Value
					if r.Kind == yaml.SequenceNode { // !Sub [template, vars]
						v = r.Content[0].Value
					}
					if strings.Contains(v, "*") && !narrowWildcard.MatchString(v) {
						t.Errorf("%s line %d: wildcard resource %q", id, r.Line, v)
					}
				}
			}
		}
	}
	slices.Sort(fnActions)
	want := []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
		"logs:CreateLogStream", "logs:PutLogEvents", "ses:SendEmail"}
	if !slices.Equal(fnActions, want) {
		t.Errorf("the function may do %q, want exactly %q", fnActions, want)
	}
	// Each grant on exactly its own resources.
	want = []string{"Records: !GetAtt Table.Arn, !Sub ${Table.Arn}/index/*",
		"Mail: !Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderDomain}",
		"Logs: !GetAtt FunctionLogGroup.Arn"}
	var grants []string
	pol := get(root, "Resources", "FunctionRole", "Properties", "Policies").Content[0]
	for _, st := range get(pol, "PolicyDocument", "Statement").Content {
		var res []string
		for _, tag := range []string{"!GetAtt", "!Sub"} {
			for _, v := range withTag(get(st, "Resource"), tag) {
				res = append(res, tag+" "+v)
			}
		}
		if r := get(st, "Resource"); r.Tag == "!Sub" && r.Kind == yaml.SequenceNode { // !Sub [template, vars]
			res = []string{"!Sub " + r.Content[0].Value}
		}
		grants = append(grants, val(get(st, "Sid"))+": "+strings.Join(res, ", "))
	}
	if !slices.Equal(grants, want) {
		t.Errorf("the function's grants\n%s\nwant\n%s", strings.Join(grants, "\n"), strings.Join(want, "\n"))
	}
}

func TestTable(t *testing.T) {
	tpl := openTemplate(t)
	tables := tpl.GetAllDynamoDBTableResources()
	tb, ok := tables["Table"]
	if len(tables) != 1 || !ok {
		t.Fatalf("want one table named Table, have %d", len(tables))
	}
	if deref(tb.BillingMode) != "PAY_PER_REQUEST" {
		t.Errorf("billing %q, want on demand", deref(tb.BillingMode))
	}
	if tb.PointInTimeRecoverySpecification == nil || !deref(tb.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled) {
		t.Error("point-in-time recovery is off")
	}
	if tb.SSESpecification == nil || !tb.SSESpecification.SSEEnabled {
		t.Error("encryption with KMS is off")
	}
	if ttl := tb.TimeToLiveSpecification; ttl == nil || !ttl.Enabled || deref(ttl.AttributeName) != "expiresAt" {
		t.Errorf("TTL %+v, want enabled on expiresAt", ttl)
	}
	if !deref(tb.DeletionProtectionEnabled) || tb.AWSCloudFormationDeletionPolicy != "Retain" {
		t.Error("deletion protection and DeletionPolicy Retain must both be on: the records are proof of consent")
	}

	// The same key design as the store creates locally (dynamo.TableInput).
	want := dynamo.TableInput("x")
	var attrs, wantAttrs []string
	for _, a := range tb.AttributeDefinitions {
		attrs = append(attrs, a.AttributeName+":"+a.AttributeType)
	}
	for _, a := range want.AttributeDefinitions {
		wantAttrs = append(wantAttrs, aws.ToString(a.AttributeName)+":"+string(a.AttributeType))
	}
	if !slices.Equal(attrs, wantAttrs) {
		t.Errorf("attributes %q, the store's %q", attrs, wantAttrs)
	}
	keyOf := func(ks []struct{ name, typ string }) string {
		var s []string
		for _, k := range ks {
			s = append(s, k.name+" "+k.typ)
		}
		return strings.Join(s, ", ")
	}
	type kt = struct{ name, typ string }
	var key, wantKey []kt
	for _, k := range tb.KeySchema {
		key = append(key, kt{k.AttributeName, k.KeyType})
	}
	for _, k := range want.KeySchema {
		wantKey = append(wantKey, kt{aws.ToString(k.AttributeName), string(k.KeyType)})
	}
	if keyOf(key) != keyOf(wantKey) {
		t.Errorf("key %s, the store's %s", keyOf(key), keyOf(wantKey))
	}
	if len(tb.GlobalSecondaryIndexes) != len(want.GlobalSecondaryIndexes) {
		t.Fatalf("%d indexes, the store has %d", len(tb.GlobalSecondaryIndexes), len(want.GlobalSecondaryIndexes))
	}
	for i, g := range tb.GlobalSecondaryIndexes {
		w := want.GlobalSecondaryIndexes[i]
		var gk, wk []kt
		for _, k := range g.KeySchema {
			gk = append(gk, kt{k.AttributeName, k.KeyType})
		}
		for _, k := range w.KeySchema {
			wk = append(wk, kt{aws.ToString(k.AttributeName), string(k.KeyType)})
		}
		if g.IndexName != aws.ToString(w.IndexName) || keyOf(gk) != keyOf(wk) || deref(g.Projection.ProjectionType) != string(w.Projection.ProjectionType) {
			t.Errorf("index %s (%s, %s), the store's %s (%s, %s)", g.IndexName, keyOf(gk), deref(g.Projection.ProjectionType),
				aws.ToString(w.IndexName), keyOf(wk), w.Projection.ProjectionType)
		}
	}
}

func TestDistribution(t *testing.T) {
	tpl, root := openTemplate(t), loadYAML(t, "template.yaml")
	d, err := tpl.GetCloudFrontDistributionWithName("Distribution")
	if err != nil {
		t.Fatal(err)
	}
	c := d.DistributionConfig
	if deref(c.HttpVersion) != "http2and3" {
		t.Errorf("HTTP version %q, want http2and3", deref(c.HttpVersion))
	}
	vc := c.ViewerCertificate
	if vc == nil || deref(vc.MinimumProtocolVersion) != "TLSv1.2_2021" || deref(vc.SslSupportMethod) != "sni-only" {
		t.Errorf("viewer certificate %+v, want TLSv1.2_2021 over SNI", vc)
	}
	dc := get(root, "Resources", "Distribution", "Properties", "DistributionConfig")
	if got := tagged(get(dc, "ViewerCertificate", "AcmCertificateArn")); got != "!Ref CertificateArn" {
		t.Errorf("certificate %s, want the CertificateArn parameter", got)
	}
	if got := tagged(get(dc, "Aliases").Content[0]); got != "!Ref DomainName" {
		t.Errorf("alias %s, want the DomainName parameter", got)
	}

	type behaviour struct {
		path, origin, viewer, cachePolicy, originPolicy, headers string
		methods                                                  []string
		compress                                                 bool
		functions                                                int
	}
	all := []behaviour{{"(default)", c.DefaultCacheBehavior.TargetOriginId, c.DefaultCacheBehavior.ViewerProtocolPolicy,
		tagged(get(dc, "DefaultCacheBehavior", "CachePolicyId")), "", tagged(get(dc, "DefaultCacheBehavior", "ResponseHeadersPolicyId")),
		c.DefaultCacheBehavior.AllowedMethods, deref(c.DefaultCacheBehavior.Compress), len(c.DefaultCacheBehavior.FunctionAssociations)}}
	for i, b := range c.CacheBehaviors {
		n := get(dc, "CacheBehaviors").Content[i]
		all = append(all, behaviour{b.PathPattern, b.TargetOriginId, b.ViewerProtocolPolicy, tagged(get(n, "CachePolicyId")),
			tagged(get(n, "OriginRequestPolicyId")), tagged(get(n, "ResponseHeadersPolicyId")), b.AllowedMethods, deref(b.Compress), len(b.FunctionAssociations)})
	}
	byPath := map[string]behaviour{}
	for _, b := range all {
		byPath[b.path] = b
		if b.viewer != "redirect-to-https" && b.viewer != "https-only" {
			t.Errorf("%s: viewer protocol %s allows plain HTTP", b.path, b.viewer)
		}
		if !b.compress {
			t.Errorf("%s: compression off", b.path)
		}
		if want := "!Ref SecurityHeaders"; b.path == "/api/*" && b.headers != "!Ref ApiSecurityHeaders" || b.path != "/api/*" && b.headers != want {
			t.Errorf("%s: response headers %s, want SecurityHeaders (ApiSecurityHeaders for /api/*)", b.path, b.headers)
		}
	}
	if b := byPath["(default)"]; b.origin != "site" || b.cachePolicy != "!Ref PageCachePolicy" || b.functions != 1 {
		t.Errorf("default behaviour %+v: want the bucket, short page caching and the router function", b)
	}
	if fa := withTag(get(dc, "DefaultCacheBehavior", "FunctionAssociations"), "!GetAtt"); !slices.Equal(fa, []string{"RouterFunction.FunctionMetadata.FunctionARN"}) {
		t.Error("the default behaviour's function is not RouterFunction")
	}
	if b := byPath["/assets/*"]; b.origin != "site" || b.cachePolicy != "!Ref AssetCachePolicy" || b.functions != 0 {
		t.Errorf("/assets/* %+v: want the bucket and the year-long policy", b)
	}
	assets, _ := tpl.GetCloudFrontCachePolicyWithName("AssetCachePolicy")
	if cp := assets.CachePolicyConfig; cp.DefaultTTL != 31536000 || cp.MinTTL != 31536000 {
		t.Errorf("asset TTL default %v min %v, want a year", cp.DefaultTTL, cp.MinTTL)
	}
	pages, _ := tpl.GetCloudFrontCachePolicyWithName("PageCachePolicy")
	if cp := pages.CachePolicyConfig; cp.DefaultTTL > 600 || cp.MinTTL != 0 {
		t.Errorf("page TTL default %v min %v: HTML must be cached briefly and follow its Cache-Control", cp.DefaultTTL, cp.MinTTL)
	}

	api := byPath["/api/*"]
	if api.origin != "api" || api.cachePolicy != "!!str "+cachingDisabled {
		t.Errorf("/api/*: origin %s cache policy %q, want the function, not cached (managed CachingDisabled)", api.origin, api.cachePolicy)
	}
	allMethods := []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
	got := slices.Sorted(slices.Values(api.methods))
	if !slices.Equal(got, allMethods) {
		t.Errorf("/api/* methods %q, want all %q", got, allMethods)
	}
	orp, _ := tpl.GetCloudFrontOriginRequestPolicyWithName(strings.TrimPrefix(api.originPolicy, "!Ref "))
	if orp == nil {
		t.Fatalf("/api/* origin request policy %s not in the template", api.originPolicy)
	}
	hc := orp.OriginRequestPolicyConfig.HeadersConfig
	if !slices.Contains(hc.Headers, "CloudFront-Viewer-Address") || slices.ContainsFunc(hc.Headers, func(h string) bool { return strings.EqualFold(h, "host") }) || hc.HeaderBehavior != "whitelist" {
		t.Errorf("/api/* forwards %s %q: want the visitor's address and not Host", hc.HeaderBehavior, hc.Headers)
	}
	if orp.OriginRequestPolicyConfig.CookiesConfig.CookieBehavior != "none" {
		t.Error("/api/* forwards cookies; the function needs none")
	}

	// Error pages: only S3's 403 (missing key); a 404 or 5xx mapping would
	// also replace the API's JSON errors, since the mapping applies to every behaviour.
	def := paramsPrinted(t)["DefaultLanguage"]
	if len(c.CustomErrorResponses) != 1 {
		t.Fatalf("%d custom error responses, want 1 (403)", len(c.CustomErrorResponses))
	}
	e := c.CustomErrorResponses[0]
	if e.ErrorCode != 403 || deref(e.ResponseCode) != 404 || deref(e.ResponsePagePath) != "/"+def+"/404.html" {
		t.Errorf("error response %d -> %d %s, want 403 -> 404 /%s/404.html", e.ErrorCode, deref(e.ResponseCode), deref(e.ResponsePagePath), def)
	}
}

func TestFunctionSettings(t *testing.T) {
	tpl, root := openTemplate(t), loadYAML(t, "template.yaml")
	fns := tpl.GetAllLambdaFunctionResources()
	f, ok := fns["ConsentFunction"]
	if len(fns) != 1 || !ok {
		t.Fatalf("want one function, ConsentFunction; have %d", len(fns))
	}
	if deref(f.Runtime) != "provided.al2023" || !slices.Equal(f.Architectures, []string{"arm64"}) || deref(f.Handler) != "bootstrap" {
		t.Errorf("runtime %s %v handler %s, want provided.al2023 arm64 bootstrap", deref(f.Runtime), f.Architectures, deref(f.Handler))
	}
	if m := deref(f.MemorySize); m != 128 {
		t.Errorf("memory %d MB, want 128", m)
	}
	if to := deref(f.Timeout); to < 1 || to > 10 {
		t.Errorf("timeout %d s, want a few seconds", to)
	}
	props := get(root, "Resources", "ConsentFunction", "Properties")
	if got := tagged(get(props, "ReservedConcurrentExecutions")); got != "!Ref ReservedConcurrency" {
		t.Errorf("reserved concurrency %s, want the ReservedConcurrency parameter", got)
	}
	if got := tagged(get(props, "LoggingConfig", "LogGroup")); got != "!Ref FunctionLogGroup" {
		t.Errorf("log group %s, want FunctionLogGroup", got)
	}
	lg, err := tpl.GetLogsLogGroupWithName("FunctionLogGroup")
	if err != nil || deref(lg.RetentionInDays) == 0 {
		t.Error("the function's logs need a retention period")
	}

	metrics := map[string]string{}
	for id, a := range tpl.GetAllCloudWatchAlarmResources() {
		stat := deref(a.Statistic) + deref(a.ExtendedStatistic)
		metrics[deref(a.MetricName)] = stat
		dim := get(root, "Resources", id, "Properties", "Dimensions").Content[0]
		if val(get(dim, "Name")) != "FunctionName" || tagged(get(dim, "Value")) != "!Ref ConsentFunction" {
			t.Errorf("%s does not watch the function", id)
		}
		if acts := get(root, "Resources", id, "Properties", "AlarmActions"); acts == nil || acts.Tag != "!If" || acts.Content[0].Value != "HasAlarmEmail" {
			t.Errorf("%s: alarm actions %s, want the topic when AlarmEmail is set", id, tagged(acts))
		}
	}
	for m, stat := range map[string]string{"Errors": "Sum", "Throttles": "Sum", "Duration": "p99"} {
		if metrics[m] != stat {
			t.Errorf("no %s alarm on %s (have %v)", stat, m, metrics)
		}
	}
}

func TestOutputs(t *testing.T) {
	got := keys(get(loadYAML(t, "template.yaml"), "Outputs"))
	for _, k := range []string{"DistributionDomainName", "DistributionId", "BucketName", "TableName", "FunctionName"} {
		if !slices.Contains(got, k) {
			t.Errorf("output %s missing (have %q)", k, got)
		}
	}
}
