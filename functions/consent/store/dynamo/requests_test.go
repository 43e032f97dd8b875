package dynamo_test

import (
	"testing"

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
