package dynamo_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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
