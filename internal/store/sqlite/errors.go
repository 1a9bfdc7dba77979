package sqlite

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tandemhq/tandem/internal/scrum"
)

// mapError turns SQLite result codes into domain errors. It matches codes,
// never message text.
func mapError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &scrum.Error{Code: scrum.CodeConflict, Message: "it already exists"}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return &scrum.Error{Code: scrum.CodeConflict, Message: "it refers to something that does not exist"}
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return &scrum.Error{Code: scrum.CodeUnavailable, Message: "the database is busy; try again"}
	}
	return err
}
