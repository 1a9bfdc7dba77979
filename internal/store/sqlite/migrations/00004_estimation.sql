-- +goose Up
-- Planning poker: sessions over a queue of items, votes per round, and a
-- team's decks. Votes live in their own table so many people voting at once
-- never contend on the session row.

CREATE TABLE estimation_sessions (
    id                  TEXT PRIMARY KEY,
    team_id             TEXT NOT NULL REFERENCES teams (id),
    title               TEXT NOT NULL,
    deck                TEXT NOT NULL, -- JSON {kind, name, cards, points}: a snapshot, so later deck edits do not change it
    state               TEXT NOT NULL,
    current_item_id     TEXT NOT NULL DEFAULT '',
    queue               TEXT NOT NULL, -- JSON [entry]: at most 100, rewritten only by the facilitator
    timer_ends_at       INTEGER NOT NULL DEFAULT 0,
    product_owner_votes BOOLEAN NOT NULL DEFAULT FALSE,
    version             INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    created_by          TEXT NOT NULL,
    closed_at           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX estimation_sessions_team ON estimation_sessions (team_id, created_at);

CREATE TABLE estimation_votes (
    session_id TEXT NOT NULL REFERENCES estimation_sessions (id),
    item_id    TEXT NOT NULL,
    round      INTEGER NOT NULL,
    voter_id   TEXT NOT NULL REFERENCES users (id),
    card       TEXT NOT NULL,
    cast_at    INTEGER NOT NULL,
    PRIMARY KEY (session_id, item_id, round, voter_id)
);

CREATE TABLE estimation_settings (
    team_id             TEXT PRIMARY KEY REFERENCES teams (id),
    custom_decks        TEXT NOT NULL, -- JSON [{name, cards}]
    tshirt              TEXT NOT NULL, -- JSON {size: points}
    product_owner_votes BOOLEAN NOT NULL DEFAULT FALSE,
    version             INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    updated_by          TEXT NOT NULL
);

-- +goose Down
DROP TABLE estimation_settings;
DROP TABLE estimation_votes;
DROP TABLE estimation_sessions;
