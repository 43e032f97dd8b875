package infra

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.yaml.in/yaml/v3"

	"pelqim/functions/consent/api"
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

// OAC for the bucket only: the function's origin proves itself with a
// secret header instead (TestFunctionURL).
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
	if len(oacType) != 1 {
		t.Errorf("origin access controls %v, want one, for the bucket", oacType)
	}
	origins := get(root, "Resources", "Distribution", "Properties", "DistributionConfig", "Origins")
	want := map[string]struct{ domain, oacType string }{
		"site": {"!GetAtt SiteBucket.RegionalDomainName", "s3"},
		"api":  {"!Select", ""},
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
		switch {
		case w.oacType == "" && oac != nil:
			t.Errorf("origin %s: OAC %s; the Function URL is AuthType NONE (OAC would refuse unsigned form posts)", id, tagged(oac))
		case w.oacType != "" && (oac == nil || oac.Tag != "!GetAtt" || oacType[strings.TrimSuffix(oac.Value, ".Id")] != w.oacType):
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
}

// The Function URL is public (AuthType NONE, the two permissions AWS
// requires for it and no more), which is safe only together with the
// secret header: CloudFront adds X-Origin-Verify (api.OriginSecretHeader)
// from the stack's generated secret, and the function gets the very same
// reference as ORIGIN_SECRET, which the function's handlerFromEnv
// (functions/consent) requires and api.FunctionURLHandler checks (their
// tests: 403 and nothing stored without it).
func TestFunctionURL(t *testing.T) {
	tpl, root := openTemplate(t), loadYAML(t, "template.yaml")
	urls := tpl.GetAllLambdaUrlResources()
	if len(urls) != 1 || urls["FunctionUrl"] == nil || urls["FunctionUrl"].AuthType != "NONE" {
		t.Fatalf("function URLs %+v, want FunctionUrl with AuthType NONE", urls)
	}
	if got := tagged(get(root, "Resources", "FunctionUrl", "Properties", "TargetFunctionArn")); got != "!GetAtt ConsentFunction.Arn" {
		t.Errorf("the URL targets %s", got)
	}

	// Exactly: anyone may call the URL, and invoke the function through it
	// only (lambda:InvokedViaFunctionUrl), never through the Invoke API.
	var perms []string
	for id, p := range resourcesOfType(root, "AWS::Lambda::Permission") {
		props := get(p, "Properties")
		if got := tagged(get(props, "FunctionName")); got != "!Ref ConsentFunction" {
			t.Errorf("%s applies to %s", id, got)
		}
		var rest []string
		for _, k := range keys(props) {
			if k != "FunctionName" {
				rest = append(rest, k+"="+val(get(props, k)))
			}
		}
		slices.Sort(rest)
		perms = append(perms, strings.Join(rest, " "))
	}
	slices.Sort(perms)
	wantPerms := []string{
		"Action=lambda:InvokeFunction InvokedViaFunctionUrl=true Principal=*",
		"Action=lambda:InvokeFunctionUrl FunctionUrlAuthType=NONE Principal=*",
	}
	if !slices.Equal(perms, wantPerms) {
		t.Errorf("function permissions\n%s\nwant\n%s", strings.Join(perms, "\n"), strings.Join(wantPerms, "\n"))
	}

	// The header CloudFront adds and the variable the function compares it
	// with: the same YAML, a dynamic reference to the same secret.
	var header *yaml.Node
	for _, o := range get(root, "Resources", "Distribution", "Properties", "DistributionConfig", "Origins").Content {
		if val(get(o, "Id")) != "api" {
			continue
		}
		hs := get(o, "OriginCustomHeaders")
		if hs == nil || len(hs.Content) != 1 || val(get(hs.Content[0], "HeaderName")) != api.OriginSecretHeader {
			t.Fatalf("the api origin's custom headers %s, want just %s", tagged(hs), api.OriginSecretHeader)
		}
		header = get(hs.Content[0], "HeaderValue")
	}
	env := get(root, "Resources", "ConsentFunction", "Properties", "Environment", "Variables", "ORIGIN_SECRET")
	if header == nil || env == nil {
		t.Fatalf("X-Origin-Verify %s, ORIGIN_SECRET %s: want both", tagged(header), tagged(env))
	}
	if h, e := mustMarshal(t, header), mustMarshal(t, env); h != e {
		t.Errorf("X-Origin-Verify\n%s\nand ORIGIN_SECRET\n%s\ndiffer", h, e)
	}
	refs := withTag(header, "!Sub")
	ref := regexp.MustCompile(`^\{\{resolve:secretsmanager:\$\{(\w+)\}:SecretString(:::\$\{OriginSecretVersion\})?\}\}$`)
	if len(refs) == 0 {
		t.Error("X-Origin-Verify is not a dynamic reference")
	}
	for _, r := range refs {
		m := ref.FindStringSubmatch(r)
		if m == nil || m[1] != "OriginSecret" {
			t.Errorf("X-Origin-Verify %q: want {{resolve:secretsmanager:${OriginSecret}:SecretString}} (or its version)", r)
		}
	}
	// Whichever version is deployed, both resolve to the same text.
	fn, _ := tpl.GetLambdaFunctionWithName("ConsentFunction")
	d, _ := tpl.GetCloudFrontDistributionWithName("Distribution")
	for _, o := range d.DistributionConfig.Origins {
		if o.Id == "api" && (len(o.OriginCustomHeaders) != 1 || o.OriginCustomHeaders[0].HeaderValue != fn.Environment.Variables["ORIGIN_SECRET"]) {
			t.Errorf("resolved: header %+v, ORIGIN_SECRET %q", o.OriginCustomHeaders, fn.Environment.Variables["ORIGIN_SECRET"])
		}
	}

	secret, err := tpl.GetSecretsManagerSecretWithName("OriginSecret")
	if err != nil {
		t.Fatal(err)
	}
	// bootstrap.yaml lets CloudFormation manage secrets named after the stack only.
	if got := tagged(get(root, "Resources", "OriginSecret", "Properties", "Name")); !strings.HasPrefix(got, "!Sub ${AWS::StackName}-") {
		t.Errorf("OriginSecret's name %s does not start with the stack's", got)
	}
	g := secret.GenerateSecretString
	if g == nil || deref(g.PasswordLength) != 48 || !deref(g.ExcludePunctuation) || deref(g.IncludeSpace) || secret.SecretString != nil {
		t.Errorf("OriginSecret %+v: want 48 generated letters and digits", g)
	}
	// Nothing else reads the secret: no other reference, no grant, no resource policy.
	if n := strings.Count(mustMarshal(t, root), "${OriginSecret}"); n != 4 {
		t.Errorf("${OriginSecret} appears %d times, want 4 (two !If branches, twice)", n)
	}
	if n := len(resourcesOfType(root, "AWS::SecretsManager::ResourcePolicy")); n != 0 {
		t.Errorf("%d secret resource policies, want none", n)
	}
	for id, role := range resourcesOfType(root, "AWS::IAM::Role") {
		if strings.Contains(mustMarshal(t, role), "secretsmanager") {
			t.Errorf("%s may touch Secrets Manager; CloudFormation resolves the secret, nobody else", id)
		}
	}
}

func mustMarshal(t *testing.T, n *yaml.Node) string {
	t.Helper()
	b, err := yaml.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Allow statements of every IAM role: no wildcard actions, no "*" resource.
// A wildcard is accepted only where the ARN cannot be narrower: SES's
// identities and configuration sets in the stack's account and region,
// which SES checks by message (the grant is held to the sender's address by
// its condition, checked below). The function gets the table and not its
// indexes: only the staff's tool lists requests by status (byStatus).
func TestLeastPrivilegeIAM(t *testing.T) {
	root := loadYAML(t, "template.yaml")
	narrowWildcard := regexp.MustCompile(`:\$\{AWS::AccountId\}:(identity|configuration-set)/\*$`)
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
	want = []string{"Records: !GetAtt Table.Arn",
		"Mail: !Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*, !Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/*",
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
		if val(get(st, "Sid")) == "Mail" {
			if from := get(st, "Condition", "StringEquals", "ses:FromAddress"); tagged(from) != "!Ref SenderAddress" {
				t.Errorf("Mail: condition ses:FromAddress %s, want !Ref SenderAddress", tagged(from))
			}
		}
	}
	if !slices.Equal(grants, want) {
		t.Errorf("the function's grants\n%s\nwant\n%s", strings.Join(grants, "\n"), strings.Join(want, "\n"))
	}
}

// TestConfigParameters: what the deploy always passes from the config
// (content/schema gives defaults and bounds, the one place they are
// written: no default here to drift from it) reaches the function as the
// variables it reads.
func TestConfigParameters(t *testing.T) {
	root := loadYAML(t, "template.yaml")
	env := get(root, "Resources", "ConsentFunction", "Properties", "Environment", "Variables")
	for _, c := range []struct {
		param, env string
		want       map[string]string
	}{
		{"RetentionDays", "RETENTION_DAYS", map[string]string{"Type": "Number", "MinValue": "1", "Default": "", "MaxValue": ""}},
		{"RequestRetentionDays", "REQUEST_RETENTION_DAYS", map[string]string{"Type": "Number", "MinValue": "1", "Default": "", "MaxValue": ""}},
		{"ConsentOrigins", "CONSENT_ORIGINS", map[string]string{"Type": "String", "Default": ""}},
	} {
		p := get(root, "Parameters", c.param)
		if p == nil {
			t.Errorf("parameter %s missing", c.param)
			continue
		}
		for k, v := range c.want {
			if got := val(get(p, k)); got != v {
				t.Errorf("%s %s %q, want %q", c.param, k, got, v)
			}
		}
		if got := tagged(get(env, c.env)); got != "!Ref "+c.param {
			t.Errorf("the function's %s is %s, want !Ref %s", c.env, got, c.param)
		}
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
	// The shop's pages post cross-origin: the function sees the Origin and a
	// preflight's questions, and answers CORS itself.
	for _, h := range []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"} {
		if !slices.Contains(hc.Headers, h) {
			t.Errorf("/api/* does not forward %s: the function cannot answer CORS for the shop", h)
		}
	}
	if orp.OriginRequestPolicyConfig.CookiesConfig.CookieBehavior != "none" {
		t.Error("/api/* forwards cookies; the function needs none")
	}

	// Error pages: only S3's 403 (missing key); a 404 or 5xx mapping would
	// also replace the API's JSON errors, since the mapping applies to every
	// behaviour. Every other code CloudFront caches passes as it is, uncached.
	def := paramsPrinted(t)["DefaultLanguage"]
	var uncached []int
	for _, e := range c.CustomErrorResponses {
		switch {
		case e.ErrorCode == 403:
			if deref(e.ResponseCode) != 404 || deref(e.ResponsePagePath) != "/"+def+"/404.html" {
				t.Errorf("error response 403 -> %d %s, want 404 /%s/404.html", deref(e.ResponseCode), deref(e.ResponsePagePath), def)
			}
		case e.ResponseCode != nil || e.ResponsePagePath != nil || e.ErrorCachingMinTTL == nil || *e.ErrorCachingMinTTL != 0:
			t.Errorf("error response %d: want it passed as it is and cached 0 s", e.ErrorCode)
		default:
			uncached = append(uncached, e.ErrorCode)
		}
	}
	if want := []int{400, 404, 405, 500, 502, 503, 504}; !slices.Equal(uncached, want) {
		t.Errorf("errors passed uncached: %v, want %v", uncached, want)
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
	// The function must outlive its handler's budget, or a slow store or SES
	// ends in Lambda's timeout instead of the handler's 503 with Retry-After.
	if to, budget := deref(f.Timeout), int(api.DefaultTimeout/time.Second); to < budget+3 || to > 15 {
		t.Errorf("timeout %d s, want a few seconds more than the handler's budget of %d s", to, budget)
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
		if acts := get(root, "Resources", id, "Properties", "AlarmActions"); acts == nil || acts.Tag != "!If" || acts.Content[0].Value != "HasAlarmEmail" {
			t.Errorf("%s: alarm actions %s, want the topic when AlarmEmail is set", id, tagged(acts))
		}
		if deref(a.MetricName) == errorLogsMetric { // from the function's log (TestErrorLogMetricFilter)
			continue
		}
		stat := deref(a.Statistic) + deref(a.ExtendedStatistic)
		metrics[deref(a.MetricName)] = stat
		dims := get(root, "Resources", id, "Properties", "Dimensions")
		if deref(a.Namespace) != "AWS/Lambda" || dims == nil || val(get(dims.Content[0], "Name")) != "FunctionName" ||
			tagged(get(dims.Content[0], "Value")) != "!Ref ConsentFunction" {
			t.Errorf("%s does not watch the function", id)
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
