package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"pelqim/functions/consent/store"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

var _ store.Requests = (*Store)(nil)

// requestItem is a data request as stored: the record, its history, its
// keys and the byStatus index keys (status, then due date, so a Query lists
// the work in the order it is due).
type requestItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk"`
	GSI1SK string `dynamodbav:"gsi1sk"`
	store.DataRequest
	// History is the audit trail, in the request's own item: a change
	// and its line are one write, so neither is ever without the other
	// (a transaction across two items would do it too, but dynalite lacks
	// them), and the history goes when the request expires. A request's
	// life is a handful of lines, far under the 400 KB an item may hold.
	History []store.AuditEvent `dynamodbav:"history"`
}

const requestSK = "REQUEST"

func requestPK(ref string) string         { return "REQUEST#" + ref }
func statusPK(status string) string       { return "STATUS#" + status }
func statusSK(r store.DataRequest) string { return r.DueAt + "#" + r.Reference }

func requestKey(ref string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: requestPK(ref)},
		"sk": &types.AttributeValueMemberS{Value: requestSK},
	}
}

// PutRequest implements store.Requests: one conditional put of the request
// with its first line.
func (s *Store) PutRequest(ctx context.Context, r store.DataRequest, ev store.AuditEvent) error {
	ev.ExpiresAt = 0 // the request's, given on reading (AuditEvents)
	item, err := attributevalue.MarshalMap(requestItem{
		PK: requestPK(r.Reference), SK: requestSK,
		GSI1PK: statusPK(r.Status), GSI1SK: statusSK(r),
		DataRequest: r, History: []store.AuditEvent{ev},
	})
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.table),
		Item:                     item,
		ConditionExpression:      notExists.Condition(),
		ExpressionAttributeNames: notExists.Names(),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		// The SDK retries a write whose answer was lost, which may have
		// landed: a request with this token is this one, not another.
		// (Not one write with "OR tokenHash = :t": that would overwrite a
		// request staff have since updated. ReturnValuesOnCondition-
		// CheckFailure would spare the read, but dynalite lacks it.)
		old, gerr := s.Request(ctx, r.Reference)
		switch {
		case gerr != nil && !errors.Is(gerr, store.ErrNotFound):
			return gerr
		case gerr != nil || r.TokenHash == "" || old.TokenHash != r.TokenHash:
			// Another request, or gone since: the caller draws another reference.
			return fmt.Errorf("put request %s: %w", r.Reference, store.ErrExists)
		}
	} else if err != nil {
		return wrap(err, "put request %s", r.Reference)
	}
	return nil
}

// Request implements store.Requests with a consistent GetItem.
func (s *Store) Request(ctx context.Context, ref string) (store.DataRequest, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            requestKey(ref),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return store.DataRequest{}, wrap(err, "get request %s", ref)
	}
	if out.Item == nil {
		return store.DataRequest{}, fmt.Errorf("get request %s: %w", ref, store.ErrNotFound)
	}
	var it requestItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return store.DataRequest{}, fmt.Errorf("decode request %s: %w", ref, err)
	}
	return it.DataRequest, nil
}

// Transition implements store.Requests with one conditional UpdateItem
// that changes the request and appends its line, so two concurrent changes
// cannot both succeed and no change is without its line. (A change the SDK
// retries after a lost answer finds the status changed: ErrConflict, as
// for any change from a status the request has left.)
func (s *Store) Transition(ctx context.Context, ref string, t store.Transition) (store.DataRequest, error) {
	if len(t.From) == 0 {
		return store.DataRequest{}, fmt.Errorf("transition %s: no starting status: %w", ref, store.ErrConflict)
	}
	now, err := time.Parse(store.TimeFormat, t.Now)
	if err != nil {
		return store.DataRequest{}, fmt.Errorf("transition %s: time %q: %w", ref, t.Now, err)
	}
	expr, err := transitionExpr(t, now)
	if err != nil {
		return store.DataRequest{}, fmt.Errorf("transition %s: %w", ref, err)
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       requestKey(ref),
		ConditionExpression:       expr.Condition(),
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              types.ReturnValueAllNew,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		// Tell a missing (or expired) request from a refused change.
		old, err := s.Request(ctx, ref)
		if err != nil {
			return store.DataRequest{}, err
		}
		if store.Expired(old.ExpiresAt, now) {
			return store.DataRequest{}, fmt.Errorf("%s request %s: expired: %w", t.To, ref, store.ErrNotFound)
		}
		return store.DataRequest{}, fmt.Errorf("%s request %s: %w", t.To, ref, store.ErrConflict)
	}
	if err != nil {
		return store.DataRequest{}, wrap(err, "%s request %s", t.To, ref)
	}
	var it requestItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return store.DataRequest{}, fmt.Errorf("decode request %s: %w", ref, err)
	}
	return it.DataRequest, nil
}

// transitionExpr is Transition's condition (the request exists, has not
// expired by now, is in one of t.From, and has t's live token when t
// names one) and update (status, index key, time, the expiry: set, or
// removed when t.ExpiresAt is 0; and the line appended to the history).
func transitionExpr(t store.Transition, now time.Time) (expression.Expression, error) {
	from := make([]expression.OperandBuilder, len(t.From))
	for i, st := range t.From {
		from[i] = expression.Value(st)
	}
	live := expression.AttributeNotExists(expression.Name("expiresAt")).
		Or(expression.Name("expiresAt").GreaterThan(expression.Value(now.Unix())))
	cond := expression.AttributeExists(expression.Name("pk")).And(live).
		And(expression.In(expression.Name("status"), from[0], from[1:]...))
	if t.TokenHash != "" {
		cond = cond.And(expression.Name("tokenHash").Equal(expression.Value(t.TokenHash))).
			And(expression.Name("tokenExpiresAt").GreaterThan(expression.Value(t.Now)))
	}
	ev := t.Event
	ev.ExpiresAt = 0 // the request's, given on reading (AuditEvents)
	line, err := attributevalue.Marshal([]store.AuditEvent{ev})
	if err != nil {
		return expression.Expression{}, fmt.Errorf("encode audit event: %w", err)
	}
	upd := expression.Set(expression.Name("status"), expression.Value(t.To)).
		Set(expression.Name("gsi1pk"), expression.Value(statusPK(t.To))).
		Set(expression.Name("updatedAt"), expression.Value(t.Now)).
		// if_not_exists: a request stored before histories were kept in
		// the item has none yet, and list_append refuses a missing list.
		Set(expression.Name("history"), expression.ListAppend(
			expression.IfNotExists(expression.Name("history"), expression.Value(&types.AttributeValueMemberL{})),
			expression.Value(line)))
	upd = setExpiry(upd, t.ExpiresAt)
	return expression.NewBuilder().WithCondition(cond).WithUpdate(upd).Build()
}

// setExpiry sets expiresAt, or removes it for 0: a TTL attribute of 0
// would read as long expired.
func setExpiry(upd expression.UpdateBuilder, expiresAt int64) expression.UpdateBuilder {
	if expiresAt == 0 {
		return upd.Remove(expression.Name("expiresAt"))
	}
	return upd.Set(expression.Name("expiresAt"), expression.Value(expiresAt))
}

// RequestsByStatus implements store.Requests with a Query of the byStatus
// index; index reads are eventually consistent.
func (s *Store) RequestsByStatus(ctx context.Context, status string) ([]store.DataRequest, error) {
	key, err := expression.NewBuilder().WithKeyCondition(
		expression.Key("gsi1pk").Equal(expression.Value(statusPK(status)))).Build()
	if err != nil {
		return nil, err
	}
	items, err := queryAll[requestItem](ctx, s.db, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(StatusIndex),
		KeyConditionExpression:    key.KeyCondition(),
		ExpressionAttributeNames:  key.Names(),
		ExpressionAttributeValues: key.Values(),
	}, status+" requests")
	if err != nil {
		return nil, err
	}
	rs := make([]store.DataRequest, len(items))
	for i, it := range items {
		rs[i] = it.DataRequest
	}
	store.SortRequests(rs)
	return rs, nil
}

// AuditEvents implements store.Requests: the history in the request's
// item, each line with the request's expiry.
func (s *Store) AuditEvents(ctx context.Context, ref string) ([]store.AuditEvent, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            requestKey(ref),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, wrap(err, "get history of %s", ref)
	}
	if out.Item == nil {
		return nil, nil // gone, history and all
	}
	var it requestItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, fmt.Errorf("decode history of %s: %w", ref, err)
	}
	for i := range it.History {
		it.History[i].ExpiresAt = it.ExpiresAt
	}
	store.SortAudit(it.History)
	return it.History, nil
}

// Hit implements store.Requests with UpdateItem ADD, atomic on the server.
// The key must contain its time window: DynamoDB deletes expired items only
// eventually, so a key is never reused after expiresAt.
func (s *Store) Hit(ctx context.Context, key string, expiresAt int64) (int64, error) {
	expr, err := expression.NewBuilder().WithUpdate(
		expression.Add(expression.Name("n"), expression.Value(1)).
			Set(expression.Name("expiresAt"), expression.Value(expiresAt))).Build()
	if err != nil {
		return 0, err
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "RATE#" + key},
			"sk": &types.AttributeValueMemberS{Value: "RATE"},
		},
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, wrap(err, "count %s", key)
	}
	n, ok := out.Attributes["n"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("count %s: no number in the answer", key)
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", key, err)
	}
	return v, nil
}
