-- +goose Up
ALTER TABLE teams ADD COLUMN item_seq INTEGER NOT NULL DEFAULT 0;

CREATE TABLE items (
    id          TEXT PRIMARY KEY,
    team_id     TEXT NOT NULL REFERENCES teams (id),
    number      INTEGER NOT NULL,
    type        TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    criteria    TEXT NOT NULL DEFAULT '[]',
    value       INTEGER,
    estimate    DOUBLE PRECISION,
    labels      TEXT NOT NULL DEFAULT '[]',
    parent_id   TEXT REFERENCES items (id),
    status      TEXT NOT NULL,
    -- Ranks sort bytewise, as in SQLite, whatever the database's locale.
    rank        TEXT COLLATE "C" NOT NULL,
    version     INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id),
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX items_rank ON items (team_id, rank);
CREATE UNIQUE INDEX items_number ON items (team_id, number);
CREATE INDEX items_parent ON items (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE item_labels (
    team_id TEXT NOT NULL,
    label   TEXT NOT NULL,
    item_id TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, label, item_id)
);
CREATE INDEX item_labels_item ON item_labels (item_id);

-- +goose Down
DROP TABLE item_labels;
DROP TABLE items;
ALTER TABLE teams DROP COLUMN item_seq;
