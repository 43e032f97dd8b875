package infra

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// A sample account: the application stack "pelqim", and a bootstrap stack
// named so that its own names start with the application's prefix (as the
// README once suggested), the case the grants must not reach.
const (
	account       = "123456789012"
	region        = "eu-central-1"
	appStack      = "pelqim"
	bootstrapName = "pelqim-bootstrap"
	suffix        = "1A2B3C4D5E6F" // what CloudFormation appends to a generated name
)

var boundaryArn = "arn:aws:iam::" + account + ":policy/" + bootstrapName + "-FunctionBoundary-" + suffix

// bootstrapVars resolves bootstrap.yaml's references for that account.
var bootstrapVars = map[string]string{
	"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": account, "StackName": appStack,
	"ArtifactBucket.Arn":     "arn:aws:s3:::" + bootstrapName + "-artifactbucket-" + strings.ToLower(suffix),
	"ArtifactBucket":         bootstrapName + "-artifactbucket-" + strings.ToLower(suffix),
	"FunctionBoundary":       boundaryArn,
	"CloudFormationRole.Arn": "arn:aws:iam::" + account + ":role/" + bootstrapName + "-CloudFormationRole-" + suffix,
	"AWS::StackName":         bootstrapName,
	"DeployRole.Arn":         "arn:aws:iam::" + account + ":role/" + bootstrapName + "-DeployRole-" + suffix,
}

var subRef = regexp.MustCompile(`\$\{([^}]+)\}`)

// resolve evaluates the values of a policy's Resource (or a condition) the
// way CloudFormation would, with vars for the parameters, pseudo
// parameters, !Ref and !GetAtt; anything else fails the test.
func resolve(t *testing.T, n *yaml.Node, vars map[string]string) []string {
	t.Helper()
	if n == nil {
		return nil
	}
	lookup := func(name string) string {
		v, ok := vars[name]
		if !ok {
			t.Fatalf("line %d: no sample value for %s", n.Line, name)
		}
		return v
	}
	switch {
	case n.Kind == yaml.SequenceNode && n.Tag == "!!seq":
		var out []string
		for _, c := range n.Content {
			out = append(out, resolve(t, c, vars)...)
		}
		return out
	case n.Tag == "!Sub" && n.Kind == yaml.ScalarNode:
		return []string{subRef.ReplaceAllStringFunc(n.Value, func(m string) string { return lookup(m[2 : len(m)-1]) })}
	case n.Tag == "!Ref" || n.Tag == "!GetAtt" && n.Kind == yaml.ScalarNode:
		return []string{lookup(n.Value)}
	case n.Kind == yaml.ScalarNode && !strings.HasPrefix(n.Tag, "!") || n.Tag == "!!str":
		return []string{n.Value}
	}
	t.Fatalf("line %d: cannot resolve %s", n.Line, tagged(n))
	return nil
}

// globMatch is IAM's matching of a resource pattern: * any run, ? one character.
func globMatch(pattern, s string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(s)
}

func actionMatch(pattern, action string) bool {
	return globMatch(strings.ToLower(pattern), strings.ToLower(action))
}

type statement struct {
	sid, effect string
	actions     []string
	resources   []string
	node        *yaml.Node
}

func statements(t *testing.T, doc *yaml.Node, vars map[string]string) []statement {
	t.Helper()
	var sts []statement
	for _, st := range get(doc, "Statement").Content {
		sts = append(sts, statement{val(get(st, "Sid")), val(get(st, "Effect")), scalars(get(st, "Action")),
			resolve(t, get(st, "Resource"), vars), st})
	}
	return sts
}

// allows reports whether an Allow among sts grants action on resource
// (conditions aside).
func allows(sts []statement, action, resource string) bool {
	for _, st := range sts {
		if st.effect == "Allow" && slices.ContainsFunc(st.actions, func(a string) bool { return actionMatch(a, action) }) &&
			slices.ContainsFunc(st.resources, func(r string) bool { return globMatch(r, resource) }) {
			return true
		}
	}
	return false
}

func cfnRoleStatements(t *testing.T) []statement {
	t.Helper()
	root := loadYAML(t, "bootstrap.yaml")
	pols := get(root, "Resources", "CloudFormationRole", "Properties", "Policies")
	if pols == nil || len(pols.Content) != 1 {
		t.Fatal("CloudFormationRole: want one inline policy")
	}
	return statements(t, get(pols.Content[0], "PolicyDocument"), bootstrapVars)
}

// Every role the application stack creates carries the bootstrap stack's
// boundary, and the boundary allows everything FunctionRole's policies
// grant, on the same resources: a grant added to the role alone would be
// cut off silently at run time.
func TestBoundaryCoversFunctionRole(t *testing.T) {
	root := loadYAML(t, "template.yaml")
	roles := resourcesOfType(root, "AWS::IAM::Role")
	if len(roles) == 0 {
		t.Fatal("no roles")
	}
	for id, r := range roles {
		if got := tagged(get(r, "Properties", "PermissionsBoundary")); got != "!Ref PermissionsBoundaryArn" {
			t.Errorf("%s: permissions boundary %s, want !Ref PermissionsBoundaryArn (CloudFormation's role may create no other)", id, got)
		}
	}
	p := get(root, "Parameters", "PermissionsBoundaryArn")
	if p == nil || get(p, "Default") != nil || !regexp.MustCompile(val(get(p, "AllowedPattern"))).MatchString(boundaryArn) {
		t.Errorf("parameter PermissionsBoundaryArn %v: want one without default that takes a policy ARN", p)
	}

	bootstrap := loadYAML(t, "bootstrap.yaml")
	boundary := get(bootstrap, "Resources", "FunctionBoundary")
	if val(get(boundary, "Type")) != "AWS::IAM::ManagedPolicy" {
		t.Fatal("bootstrap.yaml: no managed policy FunctionBoundary")
	}
	if got := tagged(get(bootstrap, "Outputs", "FunctionBoundaryArn", "Value")); got != "!Ref FunctionBoundary" {
		t.Errorf("output FunctionBoundaryArn %s, want !Ref FunctionBoundary (the deploy passes it)", got)
	}
	bounds := statements(t, get(boundary, "Properties", "PolicyDocument"), bootstrapVars)
	for _, st := range bounds {
		if st.effect == "Allow" && slices.ContainsFunc(st.actions, func(a string) bool { return strings.Contains(a, "*") }) {
			t.Errorf("boundary line %d: wildcard action in %q", st.node.Line, st.actions)
		}
	}

	fnVars := map[string]string{
		"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": account, "AWS::StackName": appStack,
		"Table.Arn":            "arn:aws:dynamodb:" + region + ":" + account + ":table/" + appStack + "-Table-" + suffix,
		"FunctionLogGroup.Arn": "arn:aws:logs:" + region + ":" + account + ":log-group:/aws/lambda/" + appStack + "-consent:*",
		"SenderAddress":        "no-reply@xiaomistore-ks.com",
	}
	for id, r := range roles {
		var n int
		for _, pol := range get(r, "Properties", "Policies").Content {
			for _, st := range statements(t, get(pol, "PolicyDocument"), fnVars) {
				if st.effect != "Allow" {
					continue
				}
				for _, a := range st.actions {
					for _, res := range st.resources {
						n++
						if !allows(bounds, a, res) {
							t.Errorf("%s line %d: %s on %s is outside FunctionBoundary (bootstrap.yaml): the function would be refused it", id, st.node.Line, a, res)
						}
					}
				}
			}
		}
		if n == 0 {
			t.Errorf("%s grants nothing the test could check", id)
		}
	}
}

// CloudFormation's role: roles only within the boundary and only the
// function's, passed only to Lambda; the boundary cannot be removed or
// swapped, nor the policy behind it changed.
func TestCloudFormationRoleRoles(t *testing.T) {
	sts := cfnRoleStatements(t)
	withBoundary := []string{"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"}
	fnRole := "arn:aws:iam::" + account + ":role/" + appStack + "-FunctionRole-*"
	var denyOthers, denyDelete, denyPolicyEdit bool
	for _, st := range sts {
		cond := func(op, key string) []string {
			return resolve(t, get(st.node, "Condition", op, key), bootstrapVars)
		}
		if st.effect == "Deny" {
			switch {
			case slices.Equal(st.actions, withBoundary) && slices.Equal(st.resources, []string{"*"}) &&
				slices.Equal(cond("StringNotEquals", "iam:PermissionsBoundary"), []string{boundaryArn}):
				denyOthers = true
			case slices.Equal(st.actions, []string{"iam:DeleteRolePermissionsBoundary"}) && slices.Equal(st.resources, []string{"*"}) &&
				get(st.node, "Condition") == nil:
				denyDelete = true
			case slices.Contains(st.actions, "iam:CreatePolicyVersion") && slices.Contains(st.actions, "iam:SetDefaultPolicyVersion") &&
				slices.Equal(st.resources, []string{boundaryArn}):
				denyPolicyEdit = true
			}
			continue
		}
		var iam []string
		for _, a := range st.actions {
			if strings.HasPrefix(a, "iam:") {
				iam = append(iam, a)
			} else if actionMatch(a, "iam:PassRole") {
				t.Errorf("line %d: %s covers iam actions", st.node.Line, a)
			}
		}
		if len(iam) == 0 {
			continue
		}
		if !slices.Equal(st.resources, []string{fnRole}) {
			t.Errorf("line %d: %q on %q, want only the function's role %s", st.node.Line, iam, st.resources, fnRole)
		}
		for _, a := range iam {
			switch {
			case slices.Contains(withBoundary, a):
				if !slices.Equal(cond("StringEquals", "iam:PermissionsBoundary"), []string{boundaryArn}) {
					t.Errorf("line %d: %s without the condition iam:PermissionsBoundary = FunctionBoundary", st.node.Line, a)
				}
			case a == "iam:PassRole":
				if len(iam) != 1 || !slices.Equal(cond("StringEquals", "iam:PassedToService"), []string{"lambda.amazonaws.com"}) {
					t.Errorf("line %d: iam:PassRole not on its own with iam:PassedToService = lambda.amazonaws.com", st.node.Line)
				}
			case a == "iam:DeleteRolePermissionsBoundary" || strings.Contains(a, "Policy") && !strings.Contains(a, "Role"):
				t.Errorf("line %d: %s would let CloudFormation lift or rewrite the boundary", st.node.Line, a)
			}
		}
	}
	if !denyOthers || !denyDelete || !denyPolicyEdit {
		t.Errorf("denials: other boundaries %v, removing one %v, editing FunctionBoundary %v; want all", denyOthers, denyDelete, denyPolicyEdit)
	}
}

// What CloudFormation's role may touch: every resource of the application
// stack (with the names CloudFormation gives them), and nothing of the
// bootstrap stack, even one whose name starts with the application's.
func TestCloudFormationRoleReach(t *testing.T) {
	sts := cfnRoleStatements(t)
	root := loadYAML(t, "template.yaml")
	arn := func(service, rest string) string {
		return "arn:aws:" + service + ":" + region + ":" + account + ":" + rest
	}
	generated := func(id string) string { return appStack + "-" + id + "-" + suffix }
	named := func(r *yaml.Node, prop string) string {
		return strings.ReplaceAll(val(get(r, "Properties", prop)), "${AWS::StackName}", appStack)
	}
	var logGroup, function string
	for _, r := range resourcesOfType(root, "AWS::Logs::LogGroup") {
		logGroup = arn("logs", "log-group:"+named(r, "LogGroupName")+":*")
	}
	for _, r := range resourcesOfType(root, "AWS::Lambda::Function") {
		function = arn("lambda", "function:"+named(r, "FunctionName"))
	}
	res := get(root, "Resources")
	for _, id := range keys(res) {
		r := get(res, id)
		typ := val(get(r, "Type"))
		var action, resource string
		switch typ {
		case "AWS::S3::Bucket":
			action, resource = "s3:CreateBucket", "arn:aws:s3:::"+strings.ToLower(generated(id))
		case "AWS::S3::BucketPolicy":
			action, resource = "s3:PutBucketPolicy", "arn:aws:s3:::"+strings.ToLower(generated(val(get(r, "Properties", "Bucket"))))
		case "AWS::IAM::Role":
			action, resource = "iam:GetRole", "arn:aws:iam::"+account+":role/"+generated(id)
		case "AWS::DynamoDB::Table":
			action, resource = "dynamodb:CreateTable", arn("dynamodb", "table/"+generated(id))
		case "AWS::Lambda::Function":
			action, resource = "lambda:CreateFunction", function
		case "AWS::Lambda::Url":
			action, resource = "lambda:CreateFunctionUrlConfig", function
		case "AWS::Lambda::Permission":
			action, resource = "lambda:AddPermission", function
		case "AWS::Logs::LogGroup":
			action, resource = "logs:CreateLogGroup", logGroup
		case "AWS::Logs::MetricFilter":
			action, resource = "logs:PutMetricFilter", logGroup
		case "AWS::SNS::Topic":
			action, resource = "sns:CreateTopic", arn("sns", generated(id))
		case "AWS::CloudWatch::Alarm":
			action, resource = "cloudwatch:PutMetricAlarm", arn("cloudwatch", "alarm:"+generated(id))
		case "AWS::SecretsManager::Secret":
			action, resource = "secretsmanager:CreateSecret", arn("secretsmanager", "secret:"+named(r, "Name")+"-AbCdEf")
		case "AWS::CloudFront::Distribution", "AWS::CloudFront::Function", "AWS::CloudFront::CachePolicy",
			"AWS::CloudFront::OriginRequestPolicy", "AWS::CloudFront::ResponseHeadersPolicy", "AWS::CloudFront::OriginAccessControl":
			action, resource = "cloudfront:Create"+strings.TrimPrefix(typ, "AWS::CloudFront::"), "arn:aws:cloudfront::"+account+":x/E123"
		default:
			t.Errorf("%s: a %s; add how its ARN is named here, and its grant to bootstrap.yaml", id, typ)
			continue
		}
		if !allows(sts, action, resource) {
			t.Errorf("%s: CloudFormation's role may not %s on %s", id, action, resource)
		}
	}

	// The bootstrap stack's own resources, named after "pelqim-bootstrap".
	own := map[string]string{
		"the artifact bucket":   bootstrapVars["ArtifactBucket.Arn"],
		"its objects":           bootstrapVars["ArtifactBucket.Arn"] + "/consent/x.zip",
		"CloudFormation's role": bootstrapVars["CloudFormationRole.Arn"],
		"the deploy role":       bootstrapVars["DeployRole.Arn"],
		"the boundary":          boundaryArn,
	}
	for what, r := range own {
		for _, a := range []string{"s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutObject", "s3:DeleteObject", "s3:PutLifecycleConfiguration",
			"iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:PassRole", "iam:CreatePolicyVersion"} {
			if allows(sts, a, r) {
				t.Errorf("CloudFormation's role may %s on %s (%s), a bootstrap resource", a, what, r)
			}
		}
	}
	// Reading the function zips is all it does with the artifact bucket.
	if !allows(sts, "s3:GetObject", bootstrapVars["ArtifactBucket.Arn"]+"/consent/x.zip") {
		t.Error("CloudFormation's role cannot read the function zip")
	}
}
