-- +goose Up
-- Who has a live page open, per instance: each instance writes and renews
-- its own rows (postgres.Board), so that people connected to another
-- instance show as present too. Presence is not data anyone saved: the
-- table is unlogged (lost in a crash, cheap to write), and rows an
-- instance stopped renewing stop counting.
CREATE UNLOGGED TABLE presence (
    team_id     TEXT NOT NULL,
    key         TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    renewed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, key, user_id, instance_id)
);
CREATE INDEX presence_instance ON presence (instance_id);

-- +goose Down
DROP TABLE presence;
