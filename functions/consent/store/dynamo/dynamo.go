// Package dynamo keeps consent records in the DynamoDB single table whose
// key design the infrastructure template declares (see EnsureTable).
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"net"

	"pelqim/functions/consent/store"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Store is a store.Store in one DynamoDB table.
type Store struct {
	db    *dynamodb.Client
	table string
}

var _ store.Store = (*Store)(nil)

// New returns a store on table through db. Build db once per process.
func New(db *dynamodb.Client, table string) *Store {
	return &Store{db: db, table: table}
}

// consentItem is a consent event as stored: the record plus its keys.
type consentItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	store.ConsentEvent
}

func consentPK(consentID string) string { return "CONSENT#" + consentID }

const eventPrefix = "EVENT#"

// Conditions and projections are built once: they do not vary per call.
var (
	notExists = mustBuild(expression.NewBuilder().
			WithCondition(expression.AttributeNotExists(expression.Name("pk"))))
	eventsKey = func(consentID string) expression.Expression {
		return mustBuild(expression.NewBuilder().WithKeyCondition(
			expression.Key("pk").Equal(expression.Value(consentPK(consentID))).
				And(expression.Key("sk").BeginsWith(eventPrefix))))
	}
)

func mustBuild(b expression.Builder) expression.Expression {
	e, err := b.Build()
	if err != nil {
		panic(err) // a programming error in a constant expression
	}
	return e
}

// PutConsent implements store.Store with a conditional PutItem, so a retried
// event is stored once; on a lost race it reads and returns the earlier item.
func (s *Store) PutConsent(ctx context.Context, ev store.ConsentEvent) (store.ConsentEvent, bool, error) {
	it := consentItem{PK: consentPK(ev.ConsentID), SK: eventPrefix + ev.EventID, ConsentEvent: ev}
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return store.ConsentEvent{}, false, fmt.Errorf("encode consent event: %w", err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.table),
		Item:                     item,
		ConditionExpression:      notExists.Condition(),
		ExpressionAttributeNames: notExists.Names(),
	})
	if err == nil {
		return ev, true, nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return store.ConsentEvent{}, false, wrap(err, "put consent event %s/%s", ev.ConsentID, ev.EventID)
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{"pk": item["pk"], "sk": item["sk"]},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return store.ConsentEvent{}, false, wrap(err, "read existing consent event %s/%s", ev.ConsentID, ev.EventID)
	}
	if out.Item == nil {
		// The condition failed, so the item existed; records are never
		// deleted except by TTL, which makes this a race with expiry.
		return store.ConsentEvent{}, false, fmt.Errorf("consent event %s/%s vanished: %w", ev.ConsentID, ev.EventID, store.ErrUnavailable)
	}
	var old consentItem
	if err := attributevalue.UnmarshalMap(out.Item, &old); err != nil {
		return store.ConsentEvent{}, false, fmt.Errorf("decode consent event %s/%s: %w", ev.ConsentID, ev.EventID, err)
	}
	return old.ConsentEvent, false, nil
}

// ConsentPage implements store.Store with one consistent Query of at most
// limit+1 items: the one more tells whether a next page exists.
func (s *Store) ConsentPage(ctx context.Context, consentID, after string, limit int) ([]store.ConsentEvent, string, error) {
	key := eventsKey(consentID)
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    key.KeyCondition(),
		ExpressionAttributeNames:  key.Names(),
		ExpressionAttributeValues: key.Values(),
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(int32(limit + 1)),
	}
	if after != "" {
		in.ExclusiveStartKey = map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: consentPK(consentID)},
			"sk": &types.AttributeValueMemberS{Value: eventPrefix + after},
		}
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", wrap(err, "query consent events of %s", consentID)
	}
	var items []consentItem
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, "", fmt.Errorf("decode consent events of %s: %w", consentID, err)
	}
	evs := make([]store.ConsentEvent, 0, len(items))
	for _, it := range items {
		evs = append(evs, it.ConsentEvent)
	}
	next := ""
	switch {
	case len(evs) > limit:
		evs = evs[:limit]
		next = evs[limit-1].EventID
	case out.LastEvaluatedKey != nil && len(evs) > 0:
		// A page cut short by DynamoDB's 1 MB: there may be more.
		next = evs[len(evs)-1].EventID
	}
	return evs, next, nil
}

// queryAll runs a Query through all its pages and decodes every item.
func queryAll[T any](ctx context.Context, db *dynamodb.Client, in *dynamodb.QueryInput, what string) ([]T, error) {
	var all []T
	pages := dynamodb.NewQueryPaginator(db, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, wrap(err, "query %s", what)
		}
		var items []T
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, fmt.Errorf("decode %s: %w", what, err)
		}
		all = append(all, items...)
	}
	return all, nil
}

// wrap adds context to err and marks the errors worth retrying later as
// store.ErrUnavailable: throttling, server errors, timeouts, lost connections.
func wrap(err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if transient(err) {
		return fmt.Errorf("%s: %w (%w)", msg, store.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

func transient(err error) bool {
	var netErr net.Error
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err).Bool() ||
		errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr)
}
