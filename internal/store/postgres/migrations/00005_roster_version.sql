-- +goose Up
-- roster_version changes with every write to a team's name, members or
-- responsibility map (the store bumps it in the same transaction), so a
-- cached roster is checked with one primary-key read, whatever else the
-- team is doing.
ALTER TABLE teams ADD COLUMN roster_version BIGINT NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE teams DROP COLUMN roster_version;
