-- Council democracy: committees, seats apportioned by membership, offices
-- (delegates and committee members), elections, factions, and the motion
-- kinds that act on them.

-- +goose Up
ALTER TABLE councils ADD COLUMN parent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE councils ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE councils ADD COLUMN seats INTEGER NOT NULL DEFAULT 0;
-- Members of a base council, and members represented by any council (for a
-- base council the same number): kept by the projection so that seats can
-- be apportioned without counting a million rows.
ALTER TABLE councils ADD COLUMN members INTEGER NOT NULL DEFAULT 0;
ALTER TABLE councils ADD COLUMN represented INTEGER NOT NULL DEFAULT 0;
CREATE INDEX councils_parent ON councils (parent);

-- A body's seats per constituency, and how they were computed.
CREATE TABLE delegations (
    body         INTEGER NOT NULL REFERENCES councils (id),
    constituency INTEGER NOT NULL REFERENCES councils (id),
    seats        INTEGER NOT NULL,
    represented  INTEGER NOT NULL,
    PRIMARY KEY (body, constituency)
);

CREATE TABLE seat_tables (
    body     INTEGER PRIMARY KEY REFERENCES councils (id),
    method   TEXT    NOT NULL,
    report   TEXT    NOT NULL,
    computed INTEGER NOT NULL,
    seq      INTEGER NOT NULL
);

-- Every seat table ever computed, for the composition over time.
CREATE TABLE seat_history (
    seq          INTEGER NOT NULL,
    body         INTEGER NOT NULL,
    constituency INTEGER NOT NULL,
    seats        INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    PRIMARY KEY (seq, body, constituency)
);

CREATE TABLE offices (
    id           INTEGER PRIMARY KEY,
    body         INTEGER NOT NULL REFERENCES councils (id),
    constituency INTEGER NOT NULL REFERENCES councils (id),
    account      INTEGER NOT NULL REFERENCES accounts (id),
    faction      INTEGER NOT NULL DEFAULT 0,
    election     INTEGER NOT NULL DEFAULT 0,
    since        INTEGER NOT NULL,
    until        INTEGER NOT NULL DEFAULT 0,
    reason       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX offices_body ON offices (body, until, constituency);
CREATE INDEX offices_account ON offices (account, until);

CREATE TABLE elections (
    id       INTEGER PRIMARY KEY,
    council  INTEGER NOT NULL REFERENCES councils (id),
    body     INTEGER NOT NULL REFERENCES councils (id),
    seats    INTEGER NOT NULL,
    kind     TEXT    NOT NULL,
    method   TEXT    NOT NULL,
    state    TEXT    NOT NULL,
    secret   INTEGER NOT NULL DEFAULT 0,
    opened   INTEGER NOT NULL,
    deadline INTEGER NOT NULL,
    seed     TEXT    NOT NULL DEFAULT '',
    closed   INTEGER NOT NULL DEFAULT 0,
    elected  TEXT    NOT NULL DEFAULT '',
    report   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX elections_council ON elections (council, id);
CREATE INDEX elections_body ON elections (body, council, state);
CREATE INDEX elections_due ON elections (state, deadline);

CREATE TABLE candidates (
    election     INTEGER NOT NULL REFERENCES elections (id),
    account      INTEGER NOT NULL REFERENCES accounts (id),
    faction      INTEGER NOT NULL DEFAULT 0,
    nominated_by INTEGER NOT NULL,
    since        INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    withdrawn    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (election, account)
);

CREATE TABLE election_electorate (
    election INTEGER NOT NULL REFERENCES elections (id),
    account  INTEGER NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (election, account)
);

-- Roll-call ranked ballots (secret ones go to the ballot box).
CREATE TABLE rankings (
    election INTEGER NOT NULL REFERENCES elections (id),
    account  INTEGER NOT NULL REFERENCES accounts (id),
    ranking  TEXT    NOT NULL,
    cast_at  INTEGER NOT NULL,
    PRIMARY KEY (election, account)
);

CREATE TABLE factions (
    id         INTEGER PRIMARY KEY,
    federation INTEGER NOT NULL REFERENCES federations (id),
    name       TEXT    NOT NULL,
    colour     TEXT    NOT NULL,
    created    INTEGER NOT NULL
);

CREATE TABLE affiliations (
    federation INTEGER NOT NULL REFERENCES federations (id),
    account    INTEGER NOT NULL REFERENCES accounts (id),
    faction    INTEGER NOT NULL,
    since      INTEGER NOT NULL,
    PRIMARY KEY (federation, account)
);

-- Motions that act: a recall of an office, a mandate on a motion above, a
-- new charter, the overturning of a committee decision, a motion forwarded
-- from below; a referendum's electorate spans the base councils below.
ALTER TABLE motions ADD COLUMN kind TEXT NOT NULL DEFAULT 'ordinary';
ALTER TABLE motions ADD COLUMN target INTEGER NOT NULL DEFAULT 0;
ALTER TABLE motions ADD COLUMN instruction TEXT NOT NULL DEFAULT '';
ALTER TABLE motions ADD COLUMN charter TEXT NOT NULL DEFAULT '';
ALTER TABLE motions ADD COLUMN origin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE motions ADD COLUMN referendum INTEGER NOT NULL DEFAULT 0;
CREATE INDEX motions_target ON motions (kind, target);

-- Weighted delegate votes: each voter's weight (members represented over
-- the constituency's seats), and the constituency a voter votes for.
ALTER TABLE electorate ADD COLUMN constituency INTEGER NOT NULL DEFAULT 0;
ALTER TABLE electorate ADD COLUMN weight_num INTEGER NOT NULL DEFAULT 1;
ALTER TABLE electorate ADD COLUMN weight_den INTEGER NOT NULL DEFAULT 1;

-- +goose Down
DROP INDEX motions_target;
DROP TABLE affiliations;
DROP TABLE factions;
DROP TABLE rankings;
DROP TABLE election_electorate;
DROP TABLE candidates;
DROP TABLE elections;
DROP TABLE offices;
DROP TABLE seat_history;
DROP TABLE seat_tables;
DROP TABLE delegations;
