-- Motions that act (recall, mandate, charter, overturn), forwarded motions,
-- referendums and weighted delegate votes.

-- +goose Up
ALTER TABLE motions ADD COLUMN overturned_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE motions ADD COLUMN double_majority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE motions ADD COLUMN weighted INTEGER NOT NULL DEFAULT 0;
-- The whole result as canonical JSON (with per-council counts and
-- weights); the columns above keep what lists need.
ALTER TABLE motions ADD COLUMN result TEXT NOT NULL DEFAULT '';
CREATE INDEX motions_origin ON motions (origin);

-- A delegate's split of their weight: parts for yes, no and abstain.
ALTER TABLE rollcall ADD COLUMN split_yes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollcall ADD COLUMN split_no INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollcall ADD COLUMN split_abstain INTEGER NOT NULL DEFAULT 0;

-- A council's instruction to its delegates on a motion above.
CREATE TABLE mandates (
    council     INTEGER NOT NULL REFERENCES councils (id),
    motion      INTEGER NOT NULL REFERENCES motions (id),
    instruction TEXT    NOT NULL,
    by_motion   INTEGER NOT NULL REFERENCES motions (id),
    issued      INTEGER NOT NULL,
    PRIMARY KEY (council, motion)
);
CREATE INDEX mandates_motion ON mandates (motion);

CREATE INDEX electorate_constituency ON electorate (motion, constituency);

-- +goose Down
DROP TABLE mandates;
