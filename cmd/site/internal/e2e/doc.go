// Package e2e tests the site in real headless Chromium against `site serve`:
// the consent banner, from a first visit to the record in the consent store;
// the same banner on a fixture shop through its tag (fixture_test.go: the
// shop and its trackers on origins of their own, gating, CSP, CORS); and
// the data-request form, from the page to the confirmation email's link.
// It holds only tests; they need /usr/bin/chromium and the npm tools under
// .ci/node_modules (axe-core, and the other banners whose size ours is
// compared with), and fail with a hint when one is missing.
package e2e
