-- +goose Up
ALTER TABLE teams ADD COLUMN item_seq INTEGER NOT NULL DEFAULT 0;

CREATE TABLE items (
    id          TEXT PRIMARY KEY,
    team_id     TEXT NOT NULL REFERENCES teams (id),
    number      INTEGER NOT NULL,
    type        TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    criteria    TEXT NOT NULL DEFAULT '[]', -- JSON [{text, done}]
    value       INTEGER,
    estimate    REAL,
    labels      TEXT NOT NULL DEFAULT '[]', -- JSON; item_labels indexes them
    parent_id   TEXT REFERENCES items (id),
    status      TEXT NOT NULL,
    rank        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id),
    updated_at  INTEGER NOT NULL
);
-- Ranks are compared bytewise (BINARY); unique per team: a strict order.
CREATE UNIQUE INDEX items_rank ON items (team_id, rank);
CREATE UNIQUE INDEX items_number ON items (team_id, number);
CREATE INDEX items_parent ON items (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE item_labels (
    team_id TEXT NOT NULL,
    label   TEXT NOT NULL,
    item_id TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, label, item_id)
) WITHOUT ROWID;
CREATE INDEX item_labels_item ON item_labels (item_id);

-- +goose Down
DROP TABLE item_labels;
DROP TABLE items;
ALTER TABLE teams DROP COLUMN item_seq;
