-- +goose NO TRANSACTION
-- +goose Up
-- search_rowid becomes the items table's own key (an INTEGER PRIMARY KEY is
-- the rowid, stable across VACUUM), so its separate unique index goes: one
-- b-tree fewer for every created item and one page fewer for every group
-- commit. SQLite cannot change a key in place; the table is rebuilt the
-- documented way, with foreign keys off so that dropping the old table
-- neither cascades (item_labels) nor trips the tables that refer to it.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE items_by_search_rowid (
    search_rowid INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    team_id      TEXT NOT NULL REFERENCES teams (id),
    number       INTEGER NOT NULL,
    type         TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    criteria     TEXT NOT NULL DEFAULT '[]', -- JSON [{text, done}]
    value        INTEGER,
    estimate     REAL,
    labels       TEXT NOT NULL DEFAULT '[]', -- JSON; item_labels indexes them
    parent_id    TEXT REFERENCES items (id),
    status       TEXT NOT NULL,
    rank         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users (id),
    updated_at   INTEGER NOT NULL,
    ready        BOOLEAN NOT NULL DEFAULT FALSE,
    ready_ticks  TEXT NOT NULL DEFAULT '[]',
    goal_linked  BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO items_by_search_rowid (search_rowid, id, team_id, number, type, title, description, criteria, value,
        estimate, labels, parent_id, status, rank, version, created_at, created_by, updated_at, ready, ready_ticks,
        goal_linked)
    SELECT search_rowid, id, team_id, number, type, title, description, criteria, value,
        estimate, labels, parent_id, status, rank, version, created_at, created_by, updated_at, ready, ready_ticks,
        goal_linked
    FROM items ORDER BY search_rowid;
DROP TABLE items;
ALTER TABLE items_by_search_rowid RENAME TO items;
CREATE UNIQUE INDEX items_rank ON items (team_id, rank);
CREATE UNIQUE INDEX items_number ON items (team_id, number);
CREATE INDEX items_parent ON items (parent_id) WHERE parent_id IS NOT NULL;
-- +goose StatementBegin
CREATE TRIGGER items_fts_update AFTER UPDATE OF title, description, criteria ON items
WHEN old.search_rowid <= (SELECT indexed_upto FROM search_state)
BEGIN
    DELETE FROM items_fts WHERE rowid = old.search_rowid;
    INSERT INTO items_fts (rowid, title, description, criteria) VALUES (new.search_rowid, new.title, new.description,
        (SELECT COALESCE(group_concat(json_extract(c.value, '$.text'), ' '), '') FROM json_each(new.criteria) c));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER items_fts_delete AFTER DELETE ON items
WHEN old.search_rowid <= (SELECT indexed_upto FROM search_state)
BEGIN
    DELETE FROM items_fts WHERE rowid = old.search_rowid;
END;
-- +goose StatementEnd
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE items_by_rowid (
    id          TEXT PRIMARY KEY,
    team_id     TEXT NOT NULL REFERENCES teams (id),
    number      INTEGER NOT NULL,
    type        TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    criteria    TEXT NOT NULL DEFAULT '[]',
    value       INTEGER,
    estimate    REAL,
    labels      TEXT NOT NULL DEFAULT '[]',
    parent_id   TEXT REFERENCES items (id),
    status      TEXT NOT NULL,
    rank        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id),
    updated_at  INTEGER NOT NULL,
    ready       BOOLEAN NOT NULL DEFAULT FALSE,
    ready_ticks TEXT NOT NULL DEFAULT '[]',
    goal_linked BOOLEAN NOT NULL DEFAULT FALSE,
    search_rowid INTEGER
);
INSERT INTO items_by_rowid (id, team_id, number, type, title, description, criteria, value, estimate, labels,
        parent_id, status, rank, version, created_at, created_by, updated_at, ready, ready_ticks, goal_linked, search_rowid)
    SELECT id, team_id, number, type, title, description, criteria, value, estimate, labels,
        parent_id, status, rank, version, created_at, created_by, updated_at, ready, ready_ticks, goal_linked, search_rowid
    FROM items ORDER BY search_rowid;
DROP TABLE items;
ALTER TABLE items_by_rowid RENAME TO items;
CREATE UNIQUE INDEX items_rank ON items (team_id, rank);
CREATE UNIQUE INDEX items_number ON items (team_id, number);
CREATE INDEX items_parent ON items (parent_id) WHERE parent_id IS NOT NULL;
CREATE UNIQUE INDEX items_search_rowid ON items (search_rowid);
-- +goose StatementBegin
CREATE TRIGGER items_fts_update AFTER UPDATE OF title, description, criteria ON items
WHEN old.search_rowid <= (SELECT indexed_upto FROM search_state)
BEGIN
    DELETE FROM items_fts WHERE rowid = old.search_rowid;
    INSERT INTO items_fts (rowid, title, description, criteria) VALUES (new.search_rowid, new.title, new.description,
        (SELECT COALESCE(group_concat(json_extract(c.value, '$.text'), ' '), '') FROM json_each(new.criteria) c));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER items_fts_delete AFTER DELETE ON items
WHEN old.search_rowid <= (SELECT indexed_upto FROM search_state)
BEGIN
    DELETE FROM items_fts WHERE rowid = old.search_rowid;
END;
-- +goose StatementEnd
COMMIT;
PRAGMA foreign_keys = ON;
