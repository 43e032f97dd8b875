package infra

import (
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
)

// bootstrap.yaml: only this repository's deploy environment may assume the
// deploy role, and that role can do what infra/cmd/deploy does and no more.
func TestBootstrap(t *testing.T) {
	if _, err := goformation.Open("bootstrap.yaml"); err != nil {
		t.Fatalf("goformation: %v", err)
	}
	root := loadYAML(t, "bootstrap.yaml")
	deploy := get(root, "Resources", "DeployRole", "Properties")

	trust := get(deploy, "AssumeRolePolicyDocument", "Statement").Content
	if len(trust) != 1 {
		t.Fatalf("deploy role: %d trust statements, want 1", len(trust))
	}
	st := trust[0]
	if fed := get(st, "Principal", "Federated"); fed == nil || !strings.HasSuffix(fed.Value, ":oidc-provider/token.actions.githubusercontent.com") {
		t.Errorf("deploy role trusts %s, want GitHub's OIDC provider", tagged(fed))
	}
	cond := get(st, "Condition", "StringEquals")
	if aud := get(cond, "token.actions.githubusercontent.com:aud"); aud == nil || aud.Value != "sts.amazonaws.com" {
		t.Error("deploy role: audience not pinned to sts.amazonaws.com")
	}
	if sub := get(cond, "token.actions.githubusercontent.com:sub"); sub == nil || sub.Value != "repo:${GitHubRepository}:environment:${GitHubEnvironment}" {
		t.Errorf("deploy role: subject %s, want exactly the repository's deploy environment", tagged(sub))
	}
	if get(st, "Condition", "StringLike") != nil {
		t.Error("deploy role: StringLike in the trust policy admits more than one subject")
	}

	var actions []string
	for _, st := range get(get(deploy, "Policies").Content[0], "PolicyDocument", "Statement").Content {
		if val(get(st, "Effect")) != "Allow" {
			continue
		}
		for _, a := range scalars(get(st, "Action")) {
			if strings.Contains(a, "*") {
				t.Errorf("deploy role line %d: wildcard action %s", st.Line, a)
			}
			actions = append(actions, a)
		}
		for _, r := range scalars(get(st, "Resource")) {
			if r == "*" {
				t.Errorf("deploy role line %d: resource *", st.Line)
			}
		}
		if slices.Contains(scalars(get(st, "Action")), "iam:PassRole") {
			if tagged(get(st, "Resource")) != "!GetAtt CloudFormationRole.Arn" ||
				val(get(st, "Condition", "StringEquals", "iam:PassedToService")) != "cloudformation.amazonaws.com" {
				t.Error("deploy role may pass a role other than CloudFormationRole, or to another service")
			}
		}
	}
	// What infra/cmd/deploy runs: s3 cp, cloudformation deploy (which also
	// reads the stack's template summary on every update), describe-stacks,
	// list-objects-v2, delete-objects, create-invalidation.
	for _, a := range []string{"s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:ListBucket",
		"cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet",
		"cloudformation:DescribeStacks", "cloudformation:GetTemplateSummary", // aws cloudformation deploy, on an update
		"cloudfront:CreateInvalidation", "iam:PassRole"} {
		if !slices.Contains(actions, a) {
			t.Errorf("deploy role lacks %s, which the deploy needs", a)
		}
	}

	cfn := get(root, "Resources", "CloudFormationRole", "Properties", "AssumeRolePolicyDocument", "Statement").Content
	if len(cfn) != 1 || val(get(cfn[0], "Principal", "Service")) != "cloudformation.amazonaws.com" {
		t.Error("CloudFormationRole must be assumable by CloudFormation only")
	}
	// The stack's origin secret: CloudFormation creates it and resolves it
	// into the distribution and the function; only the stack's secrets, and
	// GetRandomPassword (no resource) for GenerateSecretString.
	var secrets []string
	for _, st := range get(get(root, "Resources", "CloudFormationRole", "Properties", "Policies").Content[0], "PolicyDocument", "Statement").Content {
		for _, a := range scalars(get(st, "Action")) {
			if strings.HasPrefix(a, "secretsmanager:") {
				secrets = append(secrets, a+" on "+tagged(get(st, "Resource")))
			}
		}
	}
	wantSecrets := []string{"secretsmanager:* on !Sub arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${StackName}-origin-verify-*",
		"secretsmanager:GetRandomPassword on !!str *"}
	if !slices.Equal(secrets, wantSecrets) {
		t.Errorf("CloudFormationRole's Secrets Manager grants %q, want %q", secrets, wantSecrets)
	}
	pab := get(root, "Resources", "ArtifactBucket", "Properties", "PublicAccessBlockConfiguration")
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if v := get(pab, k); v == nil || v.Value != "true" {
			t.Errorf("artifact bucket: %s not true", k)
		}
	}
}

// The artifact bucket keeps every function zip: a stack rollback, however
// long after the previous deploy, redeploys the previous zip, and without it
// the stack is left UPDATE_ROLLBACK_FAILED. Versioned, and only over TLS.
func TestArtifactBucket(t *testing.T) {
	root := loadYAML(t, "bootstrap.yaml")
	props := get(root, "Resources", "ArtifactBucket", "Properties")
	if got := val(get(props, "VersioningConfiguration", "Status")); got != "Enabled" {
		t.Errorf("versioning %q, want Enabled", got)
	}
	for _, r := range get(props, "LifecycleConfiguration", "Rules").Content {
		prefix := val(get(r, "Prefix")) + val(get(r, "Filter", "Prefix"))
		covers := strings.HasPrefix("consent/x.zip", prefix) // no prefix covers everything
		expires := get(r, "ExpirationInDays") != nil || get(r, "ExpirationDate") != nil
		if covers && expires && val(get(r, "Status")) == "Enabled" {
			t.Errorf("lifecycle rule %s (line %d) expires the function zips", val(get(r, "Id")), r.Line)
		}
	}
	var tls bool
	for id, p := range resourcesOfType(root, "AWS::S3::BucketPolicy") {
		if got := tagged(get(p, "Properties", "Bucket")); got != "!Ref ArtifactBucket" {
			t.Errorf("%s applies to %s", id, got)
			continue
		}
		for _, st := range get(p, "Properties", "PolicyDocument", "Statement").Content {
			res := withTag(get(st, "Resource"), "!GetAtt")
			res = append(res, withTag(get(st, "Resource"), "!Sub")...)
			if val(get(st, "Effect")) == "Deny" && val(get(st, "Principal")) == "*" && slices.Equal(scalars(get(st, "Action")), []string{"s3:*"}) &&
				val(get(st, "Condition", "Bool", "aws:SecureTransport")) == "false" &&
				slices.Contains(res, "ArtifactBucket.Arn") && slices.Contains(res, "${ArtifactBucket.Arn}/*") {
				tls = true
			}
		}
	}
	if !tls {
		t.Error("the artifact bucket has no policy denying requests without TLS, on the bucket and its objects")
	}
}
