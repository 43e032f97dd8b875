package store

import (
	"context"
	"errors"
	"slices"
	"strings"

	"pelqim/content"
)

// Requests keeps account-data requests (GDPR Art. 15–21), their append-only
// audit trail and the rate-limit counters that guard the form. It is a
// separate interface from Store so the consent code stays untouched; the
// same store types implement both.
//
// Reads return expired requests and audit lines as well: DynamoDB's TTL
// deletes them only eventually, and what counts as now is the caller's
// clock. Callers drop them with Expired, as the API does consent records.
type Requests interface {
	// PutRequest stores r unless a request with its reference exists
	// (ErrExists: the caller draws another reference), with ev as its
	// history's first line, in one write.
	PutRequest(ctx context.Context, r DataRequest, ev AuditEvent) error
	// Request returns one request, or ErrNotFound.
	Request(ctx context.Context, ref string) (DataRequest, error)
	// Transition changes a request's status when the conditions of t hold
	// and appends t.Event, in one atomic step (the history then reads
	// with the request's new expiry). It returns the updated request;
	// ErrNotFound (also for a request expired by t.Now) or ErrConflict (a
	// condition failed: nothing changed).
	Transition(ctx context.Context, ref string, t Transition) (DataRequest, error)
	// RequestsByStatus lists the requests with one status, earliest due first.
	RequestsByStatus(ctx context.Context, status string) ([]DataRequest, error)
	// AuditEvents returns a request's history, oldest first.
	AuditEvents(ctx context.Context, ref string) ([]AuditEvent, error)
	// Hit adds one to the counter key (created at 1 when missing) and
	// returns the new count; concurrent hits never share a count. The key
	// names its time window: expired counters vanish only eventually (TTL).
	Hit(ctx context.Context, key string, expiresAt int64) (int64, error)
}

// ErrExists means a put found its key taken.
var ErrExists = errors.New("already exists")

// ErrNotFound means no request has the reference.
var ErrNotFound = errors.New("not found")

// ErrConflict means a conditional change was refused: the request is not in
// a status the change starts from, or the token did not match or expired.
var ErrConflict = errors.New("condition not met")

// Request statuses. Only these transitions exist: unverified→verified (the
// requester's link or staff), verified→resolved, unverified|verified→rejected.
const (
	StatusUnverified = "unverified"
	StatusVerified   = "verified"
	StatusResolved   = "resolved"
	StatusRejected   = "rejected"
)

// Statuses lists every status, open ones first.
var Statuses = []string{StatusUnverified, StatusVerified, StatusResolved, StatusRejected}

// DataRequest is one request as stored. The verification token itself is
// never stored: only its SHA-256, so a leaked table cannot confirm requests.
type DataRequest struct {
	Reference  string `json:"reference" dynamodbav:"reference"` // KS-XXXXXX
	Type       string `json:"type" dynamodbav:"type"`           // access, rectify, erase, …
	Email      string `json:"email" dynamodbav:"email"`
	Details    string `json:"details" dynamodbav:"details"`
	Language   string `json:"language" dynamodbav:"language"`
	Status     string `json:"status" dynamodbav:"status"`
	ReceivedAt string `json:"receivedAt" dynamodbav:"receivedAt"` // TimeFormat
	DueAt      string `json:"dueAt" dynamodbav:"dueAt"`           // TimeFormat: sorts like the time
	UpdatedAt  string `json:"updatedAt" dynamodbav:"updatedAt"`
	ClientNet  string `json:"clientNet" dynamodbav:"clientNet"` // anonymised
	// TokenHash (hex SHA-256) stays for the request's whole life, not
	// only until it is verified: it is how the verify page recognises the
	// link's holder and tells them the request's status (confirmed,
	// answered, closed), which a cleared hash would turn into "link not
	// valid" for everyone. Once the request has left unverified the hash
	// confirms nothing (a confirmation moves only an unverified request),
	// and it goes with the request at ExpiresAt.
	TokenHash      string `json:"tokenHash,omitempty" dynamodbav:"tokenHash,omitempty"`
	TokenExpiresAt string `json:"tokenExpiresAt,omitempty" dynamodbav:"tokenExpiresAt,omitempty"` // TimeFormat
	// RetentionDays is how long the request is kept once closed, as
	// configured when it was received (REQUEST_RETENTION_DAYS of the
	// function): the staff's tool, which closes requests, applies it
	// without a configuration of its own. 0: content.DefaultRetention.
	RetentionDays content.Days `json:"retentionDays,omitempty" dynamodbav:"retentionDays,omitempty"`
	// ExpiresAt is when the request is deleted (epoch seconds, the table's
	// TTL attribute; RequestExpiry says when); 0 while it is verified and
	// open. Readers treat an expired request as absent (Expired).
	ExpiresAt int64 `json:"expiresAt,omitempty" dynamodbav:"expiresAt,omitempty"`
}

// AuditEvent is one line of a request's history: who did what, when, why.
type AuditEvent struct {
	Reference string `json:"reference" dynamodbav:"reference"`
	At        string `json:"at" dynamodbav:"at"`         // AuditTimeFormat
	ID        string `json:"id" dynamodbav:"id"`         // random: two events in one instant both stay
	Action    string `json:"action" dynamodbav:"action"` // received, verified, resolved, rejected
	Status    string `json:"status" dynamodbav:"status"` // the status after the event
	Note      string `json:"note,omitempty" dynamodbav:"note,omitempty"`
	Who       string `json:"who" dynamodbav:"who"` // "requester", "system" or the staff member
	// ExpiresAt is the request's own: the stores give it to every line
	// as they read it (AuditEvents), whatever the caller put here, so a
	// request's history goes when the request goes.
	ExpiresAt int64 `json:"expiresAt,omitempty" dynamodbav:"expiresAt,omitempty"`
}

// AuditTimeFormat is RFC 3339 with fixed nanoseconds, so keys sort by time.
const AuditTimeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// Transition is a conditional status change.
type Transition struct {
	From  []string // allowed current statuses
	To    string
	Now   string // TimeFormat; becomes UpdatedAt
	Event AuditEvent
	// TokenHash, when set, must equal the stored hash and the stored
	// token must expire after Now. Both stay stored (see DataRequest).
	TokenHash string
	// ExpiresAt becomes the request's and all its audit lines' expiry
	// (RequestExpiry of To); 0 removes it. A request already expired at
	// Now is refused as ErrNotFound.
	ExpiresAt int64
}

// SortRequests orders by due date, then reference.
func SortRequests(rs []DataRequest) {
	slices.SortFunc(rs, func(a, b DataRequest) int {
		if c := strings.Compare(a.DueAt, b.DueAt); c != 0 {
			return c
		}
		return strings.Compare(a.Reference, b.Reference)
	})
}

// SortAudit orders oldest first.
func SortAudit(evs []AuditEvent) {
	slices.SortFunc(evs, func(a, b AuditEvent) int {
		if c := strings.Compare(a.At, b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
