// Package infra holds the CloudFormation templates (template.yaml: CDN,
// bucket, function, table; bootstrap.yaml: the one-time deploy identity and
// artifact bucket) and the tests that hold them to the project's rules. The
// deploy tooling is in infra/cmd and infra/internal.
package infra
