-- The foundation: the event log, its Merkle tree, the projections of the
-- first capabilities, and the private tables (credentials, sessions, API
-- tokens) that are not part of the log.
--
-- One source for both engines: store/migrate.go turns INTEGER into BIGINT
-- and BLOB into BYTEA for PostgreSQL, and keeps the blocks between
-- "-- +soviet <engine>" and "-- +soviet end" only for that engine.
-- Times are Unix microseconds, booleans 0 or 1, so that rows compare alike
-- on both engines.

-- +goose Up
CREATE TABLE events (
    seq     INTEGER PRIMARY KEY,
    time    INTEGER NOT NULL,
    actor   INTEGER NOT NULL,
    type    TEXT    NOT NULL,
    payload TEXT    NOT NULL,
    prev    BLOB    NOT NULL,
    hash    BLOB    NOT NULL
);

-- The head of the log and the compact Merkle range of the whole tree.
CREATE TABLE log_state (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    size      INTEGER NOT NULL,
    head      BLOB    NOT NULL,
    root      BLOB    NOT NULL,
    compact   BLOB    NOT NULL,
    last_time INTEGER NOT NULL
);

-- Every perfect subtree of the Merkle tree (level 0: the leaves), so that
-- inclusion and consistency proofs need O(log n) reads.
CREATE TABLE log_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
);

-- The log has no update or delete path. These triggers say so to anyone who
-- tries by hand; soviet verify finds edits made around them.
-- +soviet sqlite
-- +goose StatementBegin
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
-- +goose StatementEnd
-- +soviet end
-- +soviet postgres
-- +goose StatementBegin
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the event log is append-only'; END; $$;
-- +goose StatementEnd
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
FOR EACH ROW EXECUTE FUNCTION events_append_only();
-- +soviet end

-- Projections: each is written only by store/project.go from the events.
CREATE TABLE instance (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    software TEXT    NOT NULL,
    version  TEXT    NOT NULL,
    created  INTEGER NOT NULL
);

CREATE TABLE accounts (
    id      INTEGER PRIMARY KEY,
    handle  TEXT    NOT NULL UNIQUE,
    name    TEXT    NOT NULL,
    founder INTEGER NOT NULL,
    created INTEGER NOT NULL
);

CREATE TABLE federations (
    id      INTEGER PRIMARY KEY,
    name    TEXT    NOT NULL,
    founder INTEGER NOT NULL REFERENCES accounts (id),
    created INTEGER NOT NULL
);

CREATE TABLE charters (
    federation INTEGER NOT NULL REFERENCES federations (id),
    version    INTEGER NOT NULL,
    body       TEXT    NOT NULL,
    adopted    INTEGER NOT NULL,
    PRIMARY KEY (federation, version)
);

CREATE TABLE councils (
    id          INTEGER PRIMARY KEY,
    federation  INTEGER NOT NULL REFERENCES federations (id),
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    created     INTEGER NOT NULL
);
CREATE INDEX councils_federation ON councils (federation, id);

CREATE TABLE council_links (
    from_council INTEGER NOT NULL REFERENCES councils (id),
    to_council   INTEGER NOT NULL REFERENCES councils (id),
    created      INTEGER NOT NULL,
    PRIMARY KEY (from_council, to_council)
);

CREATE TABLE members (
    federation INTEGER NOT NULL REFERENCES federations (id),
    account    INTEGER NOT NULL REFERENCES accounts (id),
    council    INTEGER NOT NULL REFERENCES councils (id),
    since      INTEGER NOT NULL,
    PRIMARY KEY (federation, account)
);
CREATE INDEX members_council ON members (council, account);
CREATE INDEX members_account ON members (account);

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    council     INTEGER NOT NULL REFERENCES councils (id),
    token_hash  TEXT    NOT NULL UNIQUE,
    issued_by   INTEGER NOT NULL,
    expires     INTEGER NOT NULL,
    note        TEXT    NOT NULL,
    accepted_by INTEGER NOT NULL DEFAULT 0,
    accepted    INTEGER NOT NULL DEFAULT 0,
    revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX invitations_council ON invitations (council, id);

CREATE TABLE join_requests (
    id         INTEGER PRIMARY KEY,
    council    INTEGER NOT NULL REFERENCES councils (id),
    account    INTEGER NOT NULL REFERENCES accounts (id),
    message    TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    created    INTEGER NOT NULL,
    decided_by INTEGER NOT NULL DEFAULT 0,
    decided    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX join_requests_council ON join_requests (council, state, id);

CREATE TABLE motions (
    id          INTEGER PRIMARY KEY,
    council     INTEGER NOT NULL REFERENCES councils (id),
    proposer    INTEGER NOT NULL REFERENCES accounts (id),
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    majority    TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    supporters  INTEGER NOT NULL,
    created     INTEGER NOT NULL,
    opened      INTEGER NOT NULL DEFAULT 0,
    deadline    INTEGER NOT NULL DEFAULT 0,
    quorum_num  INTEGER NOT NULL DEFAULT 0,
    quorum_den  INTEGER NOT NULL DEFAULT 0,
    eligible    INTEGER NOT NULL DEFAULT 0,
    closed      INTEGER NOT NULL DEFAULT 0,
    yes_votes   INTEGER NOT NULL DEFAULT 0,
    no_votes    INTEGER NOT NULL DEFAULT 0,
    abstentions INTEGER NOT NULL DEFAULT 0,
    quorum_met  INTEGER NOT NULL DEFAULT 0,
    adopted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX motions_council ON motions (council, id);
CREATE INDEX motions_due ON motions (state, deadline);

CREATE TABLE motion_supporters (
    motion  INTEGER NOT NULL REFERENCES motions (id),
    account INTEGER NOT NULL REFERENCES accounts (id),
    since   INTEGER NOT NULL,
    PRIMARY KEY (motion, account)
);

-- Who may vote on a motion: fixed when its vote opens.
CREATE TABLE electorate (
    motion  INTEGER NOT NULL REFERENCES motions (id),
    account INTEGER NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (motion, account)
);

-- Roll-call votes: named, visible to the council's members.
CREATE TABLE rollcall (
    motion  INTEGER NOT NULL REFERENCES motions (id),
    account INTEGER NOT NULL REFERENCES accounts (id),
    choice  TEXT    NOT NULL,
    cast_at INTEGER NOT NULL,
    PRIMARY KEY (motion, account)
);
CREATE INDEX rollcall_account ON rollcall (account, motion);

-- Private tables: secrets and operational state, outside the log.
CREATE TABLE credentials (
    account       INTEGER PRIMARY KEY REFERENCES accounts (id),
    password_hash TEXT    NOT NULL,
    updated       INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    account    INTEGER NOT NULL REFERENCES accounts (id),
    created    INTEGER NOT NULL,
    expires    INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions (account);

CREATE TABLE api_tokens (
    id         TEXT    PRIMARY KEY,
    account    INTEGER NOT NULL REFERENCES accounts (id),
    name       TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    created    INTEGER NOT NULL,
    last_used  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_account ON api_tokens (account);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE credentials;
DROP TABLE rollcall;
DROP TABLE electorate;
DROP TABLE motion_supporters;
DROP TABLE motions;
DROP TABLE join_requests;
DROP TABLE invitations;
DROP TABLE members;
DROP TABLE council_links;
DROP TABLE councils;
DROP TABLE charters;
DROP TABLE federations;
DROP TABLE accounts;
DROP TABLE instance;
DROP TABLE log_nodes;
DROP TABLE log_state;
DROP TABLE events;
