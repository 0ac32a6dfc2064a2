-- What keeps a federation of a million members fast.
--
-- council_above: every pair (council, a council it sends delegates to,
-- directly or not), kept by the projection of council.linked, so that the
-- councils above one are an index read instead of a recursive query (the
-- members represented are updated on every join and departure).
-- council_links_to: the constituents of a delegate council.
-- accounts_founder: whether the instance has its founder, without reading
-- every account.

-- +goose Up
CREATE TABLE council_above (
    council INTEGER NOT NULL REFERENCES councils (id),
    above   INTEGER NOT NULL REFERENCES councils (id),
    PRIMARY KEY (council, above)
);
CREATE INDEX council_above_above ON council_above (above, council);
WITH RECURSIVE r(council, above) AS (
    SELECT from_council, to_council FROM council_links
    UNION SELECT r.council, l.to_council FROM r JOIN council_links l ON l.from_council = r.above)
INSERT INTO council_above (council, above) SELECT council, above FROM r;

CREATE INDEX council_links_to ON council_links (to_council, from_council);
CREATE INDEX accounts_founder ON accounts (founder) WHERE founder = 1;

-- +goose Down
DROP INDEX accounts_founder;
DROP INDEX council_links_to;
DROP TABLE council_above;
