-- +goose Up
-- Definition of Ready, product goal, readiness state, comments, suggested
-- positions and full-text search of the backlog.

-- ready is derived from the team's Definition of Ready and kept current by
-- the service, so filters and the refinement view are plain index scans.
ALTER TABLE items ADD COLUMN ready BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE items ADD COLUMN ready_ticks TEXT NOT NULL DEFAULT '[]'; -- JSON: ids of manual criteria ticked
ALTER TABLE items ADD COLUMN goal_linked BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE ready_definitions (
    team_id             TEXT PRIMARY KEY REFERENCES teams (id),
    criteria            TEXT NOT NULL, -- JSON [{id, kind, text}]
    max_sprint_estimate REAL NOT NULL,
    version             INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    updated_by          TEXT NOT NULL
);

CREATE TABLE product_goals (
    team_id    TEXT PRIMARY KEY REFERENCES teams (id),
    text       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE comments (
    id              TEXT PRIMARY KEY,
    team_id         TEXT NOT NULL REFERENCES teams (id),
    item_id         TEXT NOT NULL REFERENCES items (id),
    author_id       TEXT NOT NULL REFERENCES users (id),
    imported_author TEXT NOT NULL DEFAULT '', -- the author named in an imported file
    body            TEXT NOT NULL,
    mentions        TEXT NOT NULL DEFAULT '[]', -- JSON: mentioned user ids
    created_at      INTEGER NOT NULL
);
CREATE INDEX comments_item ON comments (item_id, created_at, id);

CREATE TABLE suggestions (
    id          TEXT PRIMARY KEY,
    team_id     TEXT NOT NULL REFERENCES teams (id),
    item_id     TEXT NOT NULL REFERENCES items (id),
    before_id   TEXT NOT NULL DEFAULT '',
    after_id    TEXT NOT NULL DEFAULT '',
    to_edge     TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'dismissed')),
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    resolved_by TEXT NOT NULL DEFAULT '',
    resolved_at INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL
);
CREATE INDEX suggestions_open ON suggestions (team_id, state, created_at);

-- Full-text search: a contentless FTS5 index over title, description and
-- the texts of the acceptance criteria, kept by triggers. Its rowid is
-- search_rowid, assigned once on insert: items.rowid itself may be
-- renumbered by VACUUM (items has a TEXT primary key).
ALTER TABLE items ADD COLUMN search_rowid INTEGER;
UPDATE items SET search_rowid = rowid;
CREATE UNIQUE INDEX items_search_rowid ON items (search_rowid);

CREATE VIRTUAL TABLE items_fts USING fts5 (title, description, criteria, content = '', contentless_delete = 1);
INSERT INTO items_fts (rowid, title, description, criteria)
    SELECT search_rowid, title, description,
        (SELECT COALESCE(group_concat(json_extract(c.value, '$.text'), ' '), '') FROM json_each(items.criteria) c)
    FROM items;

-- +goose StatementBegin
CREATE TRIGGER items_fts_insert AFTER INSERT ON items
BEGIN
    UPDATE items SET search_rowid = (SELECT COALESCE(MAX(search_rowid), 0) + 1 FROM items) WHERE rowid = new.rowid;
    INSERT INTO items_fts (rowid, title, description, criteria)
        SELECT search_rowid, new.title, new.description,
            (SELECT COALESCE(group_concat(json_extract(c.value, '$.text'), ' '), '') FROM json_each(new.criteria) c)
        FROM items WHERE rowid = new.rowid;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER items_fts_update AFTER UPDATE OF title, description, criteria ON items
BEGIN
    DELETE FROM items_fts WHERE rowid = old.search_rowid;
    INSERT INTO items_fts (rowid, title, description, criteria) VALUES (new.search_rowid, new.title, new.description,
        (SELECT COALESCE(group_concat(json_extract(c.value, '$.text'), ' '), '') FROM json_each(new.criteria) c));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER items_fts_delete AFTER DELETE ON items
BEGIN
    DELETE FROM items_fts WHERE rowid = old.search_rowid;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER items_fts_delete;
DROP TRIGGER items_fts_update;
DROP TRIGGER items_fts_insert;
DROP TABLE items_fts;
DROP INDEX items_search_rowid;
ALTER TABLE items DROP COLUMN search_rowid;
DROP TABLE suggestions;
DROP TABLE comments;
DROP TABLE product_goals;
DROP TABLE ready_definitions;
ALTER TABLE items DROP COLUMN goal_linked;
ALTER TABLE items DROP COLUMN ready_ticks;
ALTER TABLE items DROP COLUMN ready;
