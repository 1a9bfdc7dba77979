-- +goose Up
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    site_admin    BOOLEAN NOT NULL DEFAULT FALSE,
    deactivated   BOOLEAN NOT NULL DEFAULT FALSE,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    hash         TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    event_seq  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE members (
    team_id   TEXT NOT NULL REFERENCES teams (id),
    user_id   TEXT NOT NULL REFERENCES users (id),
    version   INTEGER NOT NULL,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_user ON members (user_id);

CREATE TABLE member_accountabilities (
    team_id        TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    accountability TEXT NOT NULL CHECK (accountability IN ('product_owner', 'scrum_master', 'developer', 'stakeholder')),
    PRIMARY KEY (team_id, user_id, accountability),
    FOREIGN KEY (team_id, user_id) REFERENCES members (team_id, user_id) ON DELETE CASCADE
) WITHOUT ROWID;
-- Exactly one Product Owner per team, enforced by the database as well.
CREATE UNIQUE INDEX one_product_owner ON member_accountabilities (team_id) WHERE accountability = 'product_owner';

CREATE TABLE responsibilities (
    team_id              TEXT NOT NULL REFERENCES teams (id),
    resp_key             TEXT NOT NULL,
    owner_accountability TEXT,
    owner_user_id        TEXT REFERENCES users (id),
    version              INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    updated_by           TEXT NOT NULL,
    PRIMARY KEY (team_id, resp_key),
    CHECK ((owner_accountability IS NULL) <> (owner_user_id IS NULL))
) WITHOUT ROWID;

CREATE TABLE invites (
    id               TEXT PRIMARY KEY,
    team_id          TEXT NOT NULL REFERENCES teams (id),
    hash             TEXT NOT NULL UNIQUE,
    accountabilities TEXT NOT NULL,
    created_by       TEXT NOT NULL REFERENCES users (id),
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    max_uses         INTEGER NOT NULL,
    uses             INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX invites_team ON invites (team_id);

CREATE TABLE events (
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
CREATE INDEX events_subject ON events (team_id, subject_id, seq);

CREATE TABLE audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    team_id  TEXT NOT NULL DEFAULT '',
    action   TEXT NOT NULL,
    target   TEXT NOT NULL,
    detail   TEXT NOT NULL,
    ip       TEXT NOT NULL
);
CREATE INDEX audit_team ON audit (team_id, id);

-- The audit log is append-only.
-- +goose StatementBegin
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd

CREATE TABLE throttles (
    throttle_key  TEXT PRIMARY KEY,
    attempts      INTEGER NOT NULL,
    window_start  INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE throttles;
DROP TRIGGER audit_no_delete;
DROP TRIGGER audit_no_update;
DROP TABLE audit;
DROP TABLE events;
DROP TABLE invites;
DROP TABLE responsibilities;
DROP TABLE member_accountabilities;
DROP TABLE members;
DROP TABLE teams;
DROP TABLE tokens;
DROP TABLE sessions;
DROP TABLE users;
