-- +goose Up
-- teams.event_seq and teams.item_seq were never used: a team's next event
-- and item numbers are read from the (team_id, seq) and (team_id, number)
-- indexes, and a counter column would make every write of a team update
-- its row.
ALTER TABLE teams DROP COLUMN event_seq, DROP COLUMN item_seq;

-- +goose Down
ALTER TABLE teams ADD COLUMN item_seq INTEGER NOT NULL DEFAULT 0, ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;
