package postgres

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tandemhq/tandem/internal/scrum"
)

// mapError turns PostgreSQL SQLSTATE codes into domain errors. It matches
// codes, never message text.
func mapError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		if pgconn.SafeToRetry(err) || isConnErr(err) || lostConn(err) {
			return &scrum.Error{Code: scrum.CodeUnavailable, Message: "the database is unreachable; try again shortly"}
		}
		return err
	}
	switch pe.Code {
	case "23505": // unique_violation
		return &scrum.Error{Code: scrum.CodeConflict, Message: "it already exists"}
	case "23503": // foreign_key_violation
		return &scrum.Error{Code: scrum.CodeConflict, Message: "it refers to something that does not exist"}
	case "57P01", "57P02", "57P03", "08000", "08003", "08006": // shutdown, connection failures
		return &scrum.Error{Code: scrum.CodeUnavailable, Message: "the database is unavailable; try again shortly"}
	}
	return err
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01" // serialization_failure, deadlock_detected
	}
	return false
}

func isConnErr(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}

// lostConn reports a connection that broke during a statement: the server
// went away (a crash, a restart, a terminated backend) or the network did.
func lostConn(err error) bool {
	var ne net.Error
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed) || errors.As(err, &ne)
}
