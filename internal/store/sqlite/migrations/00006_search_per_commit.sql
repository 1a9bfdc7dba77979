-- +goose Up
-- New items are indexed for search once per commit rather than by a
-- trigger per row: inside a transaction every statement with a trigger
-- opened a savepoint, and FTS5 writes its pending terms to disk at each
-- savepoint, so a group commit of many items wrote a tiny index segment
-- per item. The store now gives each new item its search_rowid and adds
-- the commit's new items to items_fts in one statement before COMMIT
-- (Dialect.SearchIndexSQL). Edits keep their trigger.
DROP TRIGGER items_fts_insert;

-- +goose Down
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
