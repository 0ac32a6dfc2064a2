-- Secret ballots: who took part (a projection of vote.participated), the
-- ballot boxes of open secret votes (not a projection: no event names a
-- ballot while its vote is open), and the published bulletins (projections
-- of bulletin.published). docs/SECURITY.md says what links a voter to a
-- ballot and what does not.

-- +goose Up
-- A vote is roll-call unless it was opened secret.
ALTER TABLE motions ADD COLUMN secrecy TEXT NOT NULL DEFAULT 'roll-call';

-- Who took part in a secret vote. vote is the id of what the vote decides
-- (a motion now; an election or a recall later), hence no foreign key.
CREATE TABLE participation (
    vote    INTEGER NOT NULL,
    account INTEGER NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (vote, account)
);

-- The ballot boxes. A row holds the vote, a random 128-bit id, the receipt
-- code and the content: no voter, session, address or time. The stored
-- order must say nothing of the order of casting: on SQLite the table is
-- WITHOUT ROWID, so rows live in the order of their random keys and no
-- rowid counts insertions; on PostgreSQL, where rows live in the heap in
-- insertion order and carry the inserting transaction's id (xmin), the
-- store rewrites each batch's new ballots together with a random sample of
-- the box, in key order, at the end of the batch (store/ballot.go).
-- +soviet sqlite
CREATE TABLE ballot_box (
    vote    INTEGER NOT NULL,
    id      BLOB    NOT NULL,
    receipt TEXT    NOT NULL,
    content TEXT    NOT NULL,
    PRIMARY KEY (vote, id)
) WITHOUT ROWID;
-- +soviet end
-- +soviet postgres
CREATE TABLE ballot_box (
    vote    INTEGER NOT NULL,
    id      BLOB    NOT NULL,
    receipt TEXT    NOT NULL,
    content TEXT    NOT NULL,
    PRIMARY KEY (vote, id)
);
-- +soviet end
CREATE UNIQUE INDEX ballot_box_receipt ON ballot_box (vote, receipt);

-- Published bulletins: seq is the bulletin.published event, which holds the
-- whole bulletin (the downloadable file is its canonical JSON).
CREATE TABLE bulletins (
    vote         INTEGER PRIMARY KEY,
    seq          INTEGER NOT NULL,
    hash         TEXT    NOT NULL,
    ballots      INTEGER NOT NULL,
    participants INTEGER NOT NULL
);

-- The ballots of published bulletins, to find a receipt.
CREATE TABLE bulletin_ballots (
    vote    INTEGER NOT NULL REFERENCES bulletins (vote),
    receipt TEXT    NOT NULL,
    content TEXT    NOT NULL,
    PRIMARY KEY (vote, receipt)
);
CREATE INDEX bulletin_ballots_receipt ON bulletin_ballots (receipt);

-- +goose Down
DROP TABLE bulletin_ballots;
DROP TABLE bulletins;
DROP TABLE ballot_box;
DROP TABLE participation;
ALTER TABLE motions DROP COLUMN secrecy;
