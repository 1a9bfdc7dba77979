-- +goose Up
-- events was a WITHOUT ROWID table keyed by (team_id, seq). Its rows carry
-- the whole payload (an item event is most of a kilobyte), and a WITHOUT
-- ROWID table keeps whole rows in its interior pages too, so the tree was
-- deep and every group commit of creates rewrote nine of its pages. Now
-- rows live in an ordinary table that new rows append to, and a small
-- unique index keeps (team_id, seq) in order: about four pages a commit.
CREATE TABLE events_by_rowid (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT NOT NULL REFERENCES teams (id),
    seq        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    audience   TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL,
    at         INTEGER NOT NULL
);
INSERT INTO events_by_rowid (team_id, seq, type, subject_id, actor_id, audience, data, at)
    SELECT team_id, seq, type, subject_id, actor_id, audience, data, at FROM events ORDER BY at, team_id, seq;
DROP TABLE events;
ALTER TABLE events_by_rowid RENAME TO events;
CREATE UNIQUE INDEX events_seq ON events (team_id, seq);
CREATE INDEX events_subject ON events (team_id, subject_id, seq);

-- +goose Down
CREATE TABLE events_keyed (
    team_id    TEXT NOT NULL REFERENCES teams (id),
    seq        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    audience   TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (team_id, seq)
) WITHOUT ROWID;
INSERT INTO events_keyed SELECT team_id, seq, type, subject_id, actor_id, audience, data, at FROM events;
DROP TABLE events;
ALTER TABLE events_keyed RENAME TO events;
CREATE INDEX events_subject ON events (team_id, subject_id, seq);
