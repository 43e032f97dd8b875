package dynamo_test

import (
	"testing"

	"pelqim/functions/consent/store"
	"pelqim/functions/consent/store/dynamo"
	"pelqim/functions/consent/store/storetest"
	"pelqim/functions/consent/testenv"
)

func TestContract(t *testing.T) {
	db := testenv.Dynalite(t)
	client := db.Client()
	storetest.Run(t, func(t *testing.T) store.Store {
		return dynamo.New(client, db.Table(t))
	})
}
