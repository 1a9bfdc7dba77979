-- +goose Up
-- Definition of Ready, product goal, readiness state, comments, suggested
-- positions and full-text search of the backlog.

-- ready is derived from the team's Definition of Ready and kept current by
-- the service, so filters and the refinement view are plain index scans.
ALTER TABLE items ADD COLUMN ready BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE items ADD COLUMN ready_ticks TEXT NOT NULL DEFAULT '[]';
ALTER TABLE items ADD COLUMN goal_linked BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE ready_definitions (
    team_id             TEXT PRIMARY KEY REFERENCES teams (id),
    criteria            TEXT NOT NULL,
    max_sprint_estimate DOUBLE PRECISION NOT NULL,
    version             INTEGER NOT NULL,
    updated_at          BIGINT NOT NULL,
    updated_by          TEXT NOT NULL
);

CREATE TABLE product_goals (
    team_id    TEXT PRIMARY KEY REFERENCES teams (id),
    text       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE comments (
    id              TEXT PRIMARY KEY,
    team_id         TEXT NOT NULL REFERENCES teams (id),
    item_id         TEXT NOT NULL REFERENCES items (id),
    author_id       TEXT NOT NULL REFERENCES users (id),
    imported_author TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL,
    mentions        TEXT NOT NULL DEFAULT '[]',
    created_at      BIGINT NOT NULL
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
    created_at  BIGINT NOT NULL,
    resolved_by TEXT NOT NULL DEFAULT '',
    resolved_at BIGINT NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL
);
CREATE INDEX suggestions_open ON suggestions (team_id, state, created_at);

-- Full-text search: a generated tsvector over title, description and the
-- string values of the acceptance criteria (not their keys or flags), with
-- the 'simple' configuration (no stemming, as SQLite's unicode61).
ALTER TABLE items ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', title) || to_tsvector('simple', description)
        || jsonb_to_tsvector('simple', criteria::jsonb, '["string"]')
) STORED;
CREATE INDEX items_search ON items USING GIN (search);

-- +goose Down
DROP INDEX items_search;
ALTER TABLE items DROP COLUMN search;
DROP TABLE suggestions;
DROP TABLE comments;
DROP TABLE product_goals;
DROP TABLE ready_definitions;
ALTER TABLE items DROP COLUMN goal_linked;
ALTER TABLE items DROP COLUMN ready_ticks;
ALTER TABLE items DROP COLUMN ready;
