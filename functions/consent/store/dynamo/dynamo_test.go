package dynamo_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/dynamo"
	"pelqim/functions/consent/store/storetest"
	"pelqim/functions/consent/testenv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestContract(t *testing.T) {
	db := testenv.Dynalite(t)
	client := db.Client()
	storetest.Run(t, func(t *testing.T) store.Store {
		return dynamo.New(client, db.Table(t))
	})
}

// TestEnsureTable creates the table with the key design the infrastructure
// declares, and finds it there the second time.
func TestEnsureTable(t *testing.T) {
	db := testenv.Dynalite(t).Client()
	s := dynamo.New(db, "pelqim-ensure")
	for range 2 {
		if err := s.EnsureTable(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	out, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String("pelqim-ensure")})
	if err != nil {
		t.Fatal(err)
	}
	tb := out.Table
	key := func(ks []types.KeySchemaElement) string {
		var parts []string
		for _, k := range ks {
			parts = append(parts, aws.ToString(k.AttributeName)+":"+string(k.KeyType))
		}
		return strings.Join(parts, ",")
	}
	if got := key(tb.KeySchema); got != "pk:HASH,sk:RANGE" || tb.TableStatus != types.TableStatusActive {
		t.Errorf("table key %s, status %s", got, tb.TableStatus)
	}
	if len(tb.GlobalSecondaryIndexes) != 1 {
		t.Fatalf("indexes %+v", tb.GlobalSecondaryIndexes)
	}
	gsi := tb.GlobalSecondaryIndexes[0]
	if aws.ToString(gsi.IndexName) != dynamo.StatusIndex || key(gsi.KeySchema) != "gsi1pk:HASH,gsi1sk:RANGE" ||
		gsi.Projection.ProjectionType != types.ProjectionTypeAll {
		t.Errorf("index %s %s %s", aws.ToString(gsi.IndexName), key(gsi.KeySchema), gsi.Projection.ProjectionType)
	}
}

// TestUnavailable: a DynamoDB that cannot be reached is store.ErrUnavailable;
// a missing table is not (retrying will not help).
func TestUnavailable(t *testing.T) {
	missing := dynamo.New(testenv.Dynalite(t).Client(), "pelqim-missing")
	if _, _, err := missing.PutConsent(context.Background(), storetest.Event("c", 1)); err == nil || errors.Is(err, store.ErrUnavailable) {
		t.Errorf("PutConsent to a missing table: %v", err)
	}

	d := &testenv.DynamoDB{Endpoint: "http://127.0.0.1:1"} // nothing listens on port 1
	s := dynamo.New(d.Client(func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }), "pelqim-none")
	_, _, err := s.PutConsent(context.Background(), storetest.Event("c", 1))
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("PutConsent: %v, want ErrUnavailable", err)
	}
	if _, err := store.AllEvents(context.Background(), s, "c"); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("AllEvents: %v, want ErrUnavailable", err)
	}
}
