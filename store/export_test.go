package store

// ReplayOneByOne makes db's Verify apply every event with its own
// projection, without the batch projections, so that a test can compare.
func ReplayOneByOne(db *DB) { db.noBatches = true }
