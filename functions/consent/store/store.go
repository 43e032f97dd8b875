// Package store defines where consent records are kept: the Store interface
// the API handler writes through, the record types and the errors every
// implementation (store/dynamo, store/bolt) returns.
package store

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// ErrUnavailable means the store could not take the call right now
// (throttled, a server error, a timeout, a lost connection). The caller may
// try again later; the API answers 503 with Retry-After.
var ErrUnavailable = errors.New("store unavailable")

// Store keeps consent records. Records are append-only: nothing here updates
// or deletes a consent event. (Data requests have their own interface,
// Requests; both store types implement both.)
type Store interface {
	// PutConsent stores ev unless an event with the same consent id and
	// event id exists. It returns the stored record: ev itself and
	// created=true, or the earlier record and created=false (first write wins).
	PutConsent(ctx context.Context, ev ConsentEvent) (stored ConsentEvent, created bool, err error)
	// ConsentPage returns at most limit events of one consent id, those
	// after the event id after ("": from the first), in the store's order
	// (by event id), and the event id to ask after for the next page ("":
	// there is none). An unknown id has no events.
	ConsentPage(ctx context.Context, consentID, after string, limit int) (evs []ConsentEvent, next string, err error)
	// Hit adds one to the counter key (created at 1 when missing), which
	// may be deleted after expiresAt (epoch seconds), and returns its new
	// value, atomically: rate limits hold across instances.
	Hit(ctx context.Context, key string, expiresAt int64) (int64, error)
}

// AllEvents returns every event of one consent id, page by page, oldest
// first.
func AllEvents(ctx context.Context, s Store, consentID string) ([]ConsentEvent, error) {
	var all []ConsentEvent
	for after := ""; ; {
		evs, next, err := s.ConsentPage(ctx, consentID, after, 1000)
		if err != nil {
			return nil, err
		}
		all = append(all, evs...)
		if next == "" {
			SortEvents(all)
			return all, nil
		}
		after = next
	}
}

// ConsentEvent is one recorded choice, the proof of consent (GDPR Art. 7(1)).
type ConsentEvent struct {
	ConsentID  string `json:"consentId" dynamodbav:"consentId"`
	EventID    string `json:"eventId" dynamodbav:"eventId"`
	RecordedAt string `json:"recordedAt" dynamodbav:"recordedAt"` // server time, TimeFormat
	// ChosenAt is when the visitor chose, by the browser's clock
	// (TimeFormat), when the banner said: a choice queued offline is
	// recorded later.
	ChosenAt       string     `json:"chosenAt,omitempty" dynamodbav:"chosenAt,omitempty"`
	Action         string     `json:"action" dynamodbav:"action"`
	Categories     Categories `json:"categories" dynamodbav:"categories"`
	ConsentVersion string     `json:"consentVersion" dynamodbav:"consentVersion"`
	PolicyVersion  string     `json:"policyVersion" dynamodbav:"policyVersion"`
	Language       string     `json:"language" dynamodbav:"language"`
	Page           string     `json:"page" dynamodbav:"page"`
	// Origin is the origin of the page the choice was made on: the site's
	// or one of the shop's (api.Config.Origins).
	Origin    string `json:"origin,omitempty" dynamodbav:"origin,omitempty"`
	GPC       bool   `json:"gpc" dynamodbav:"gpc"`
	UserAgent string `json:"userAgent" dynamodbav:"userAgent"`
	ClientNet string `json:"clientNet" dynamodbav:"clientNet"` // anonymised network, never an address
	ExpiresAt int64  `json:"expiresAt" dynamodbav:"expiresAt"` // epoch seconds, the table's TTL attribute
}

// Categories are the four cookie categories of the site's cookie data.
type Categories struct {
	Necessary   bool `json:"necessary" dynamodbav:"necessary"`
	Preferences bool `json:"preferences" dynamodbav:"preferences"`
	Statistics  bool `json:"statistics" dynamodbav:"statistics"`
	Marketing   bool `json:"marketing" dynamodbav:"marketing"`
}

// TimeFormat is how RecordedAt is written: RFC 3339 in UTC with a fixed
// number of fraction digits, so that the text sorts like the time.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// SortEvents orders events oldest first, by event id within the same instant.
func SortEvents(evs []ConsentEvent) {
	slices.SortFunc(evs, func(a, b ConsentEvent) int {
		if c := strings.Compare(a.RecordedAt, b.RecordedAt); c != 0 {
			return c
		}
		return strings.Compare(a.EventID, b.EventID)
	})
}
