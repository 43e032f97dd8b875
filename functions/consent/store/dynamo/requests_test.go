package dynamo_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/dynamo"
	"pelqim/functions/consent/store/storetest"
	"pelqim/functions/consent/testenv"
)

// TestRequestsContract runs against dynalite, which also checks that the
// byStatus index works there.
func TestRequestsContract(t *testing.T) {
	db := testenv.Dynalite(t)
	client := db.Client()
	storetest.RunRequests(t, func(t *testing.T) store.Requests {
		return dynamo.New(client, db.Table(t))
	})
}

// TestHistoryInTheItem: a request and its history are one item, so every
// change is written with its line in one conditional write; a change the
// condition refuses adds no line either.
func TestHistoryInTheItem(t *testing.T) {
	db := testenv.Dynalite(t)
	client, table := db.Client(), db.Table(t)
	s := dynamo.New(client, table)
	ctx := context.Background()
	r := storetest.Request("KS-HIST01", 1)
	if err := s.PutRequest(ctx, r, storetest.Audit(r.Reference, "received", r.Status, 0)); err != nil {
		t.Fatal(err)
	}
	change := func(from, to string, n int) error {
		_, err := s.Transition(ctx, r.Reference, store.Transition{
			From: []string{from}, To: to, Now: r.ReceivedAt, Event: storetest.Audit(r.Reference, to, to, n),
		})
		return err
	}
	if err := change(store.StatusUnverified, store.StatusVerified, 1); err != nil {
		t.Fatal(err)
	}
	if err := change(store.StatusUnverified, store.StatusRejected, 2); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a change from a status the request left: %v, want ErrConflict", err)
	}
	out, err := client.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "REQUEST#" + r.Reference}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 1 {
		t.Fatalf("%d items under the request's key, want the request alone", len(out.Items))
	}
	evs, err := s.AuditEvents(ctx, r.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Action != "received" || evs[1].Action != store.StatusVerified {
		t.Errorf("history %+v, want received and verified, and nothing of the refused change", evs)
	}
}

// TestRequestWithoutHistory: a request stored before its history was kept
// in its item (it has no history attribute) still changes, and its history
// starts with the change.
func TestRequestWithoutHistory(t *testing.T) {
	db := testenv.Dynalite(t)
	client, table := db.Client(), db.Table(t)
	ctx := context.Background()
	r := storetest.Request("KS-OLD001", 1)
	item, err := attributevalue.MarshalMap(r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"pk": "REQUEST#" + r.Reference, "sk": "REQUEST", "gsi1pk": "STATUS#" + r.Status, "gsi1sk": r.DueAt + "#" + r.Reference} {
		item[k] = &types.AttributeValueMemberS{Value: v}
	}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
	s := dynamo.New(client, table)
	if _, err := s.Transition(ctx, r.Reference, store.Transition{
		From: []string{store.StatusUnverified}, To: store.StatusVerified, Now: r.ReceivedAt,
		Event: storetest.Audit(r.Reference, "verified", store.StatusVerified, 1),
	}); err != nil {
		t.Fatalf("Transition of a request without a history: %v", err)
	}
	if evs, err := s.AuditEvents(ctx, r.Reference); err != nil || len(evs) != 1 || evs[0].Action != "verified" {
		t.Errorf("history %+v, %v; want the one verified line", evs, err)
	}
}
