-- +goose Up
-- Relabelling an item deletes its old labels by primary key (the item's
-- labels column names them), so nothing looks item_labels up by item any
-- more; the index cost every created label an insert and every commit a
-- page.
DROP INDEX item_labels_item;

-- +goose Down
CREATE INDEX item_labels_item ON item_labels (item_id);
