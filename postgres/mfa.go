package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const mfaCols = `account_id, serial_number, kind, name, path, sealed_seed, user_id, enable_date,
	created_at, tags, last_used_step, drift, failed_attempts, locked_until`

func scanMFADevice(row pgx.Row) (opensts.MFADevice, error) {
	var (
		d               opensts.MFADevice
		kind, tags      string
		enabled, locked pgtype.Timestamptz
		failed          int64
	)
	if err := row.Scan(&d.AccountID, &d.SerialNumber, &kind, &d.Name, &d.Path, &d.SealedSeed, &d.UserID, &enabled,
		&d.CreatedAt, &tags, &d.LastUsedStep, &d.Drift, &failed, &locked); err != nil {
		return opensts.MFADevice{}, err
	}
	d.Kind = opensts.MFADeviceKind(kind)
	d.EnableDate = fromNullTime(enabled)
	d.CreatedAt = utc(d.CreatedAt)
	d.FailedAttempts = int(failed)
	d.LockedUntil = fromNullTime(locked)
	var err error
	if d.Tags, err = backend.DecodeTags(tags); err != nil {
		return opensts.MFADevice{}, err
	}
	return d, nil
}

func getMFADevice(ctx context.Context, q querier, accountID, serial, lock string) (opensts.MFADevice, error) {
	return scanMFADevice(q.QueryRow(ctx, `SELECT `+mfaCols+` FROM mfa_devices WHERE account_id = $1 AND serial_number = $2 `+lock, accountID, serial))
}

// CreateMFADevice stores a new device. Serial numbers compare exactly. The
// account row lock makes the serial check, the count and the insert atomic;
// a device created assigned locks its owner against deletion.
func (db *DB) CreateMFADevice(ctx context.Context, d opensts.MFADevice, maxDevices int) error {
	tags, err := backend.EncodeTags(d.Tags)
	if err != nil {
		return fmt.Errorf("create MFA device %s: %w", d.SerialNumber, err)
	}
	err = db.write(ctx, func(tx pgx.Tx) error {
		if err := lockAccount(ctx, tx, d.AccountID); err != nil {
			return err
		}
		if d.UserID != "" && d.UserID != d.AccountID {
			if err := lockUser(ctx, tx, d.AccountID, d.UserID, "FOR KEY SHARE"); err != nil {
				return err
			}
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM mfa_devices WHERE account_id = $1 AND serial_number = $2)`, d.AccountID, d.SerialNumber)
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("serial number %s: %w", d.SerialNumber, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM mfa_devices WHERE account_id = $1`, d.AccountID)
		if err != nil {
			return err
		}
		if n >= maxDevices {
			return backend.LimitExceeded("MFA devices", maxDevices)
		}
		_, err = tx.Exec(ctx, `INSERT INTO mfa_devices (`+mfaCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			d.AccountID, d.SerialNumber, string(d.Kind), d.Name, d.Path, blob(d.SealedSeed), d.UserID, nullTime(d.EnableDate),
			d.CreatedAt, tags, d.LastUsedStep, d.Drift, int64(d.FailedAttempts), nullTime(d.LockedUntil))
		return err
	})
	if err != nil {
		return fmt.Errorf("create MFA device %s: %w", d.SerialNumber, err)
	}
	return nil
}

// GetMFADevice returns a device by serial number.
func (db *DB) GetMFADevice(ctx context.Context, accountID, serial string) (opensts.MFADevice, error) {
	var d opensts.MFADevice
	err := db.readOne(ctx, func(q querier) (err error) {
		d, err = getMFADevice(ctx, q, accountID, serial, "")
		return err
	})
	if err != nil {
		return opensts.MFADevice{}, fmt.Errorf("get MFA device %s: %w", serial, err)
	}
	return d, nil
}

// ListMFADevices lists the devices that match f, by serial number.
// PathPrefix filters on the device path.
func (db *DB) ListMFADevices(ctx context.Context, accountID string, f opensts.MFAFilter, opt opensts.ListOptions) (opensts.Page[opensts.MFADevice], error) {
	s := newStmt(`SELECT `+mfaCols+` FROM mfa_devices WHERE account_id = $1`, accountID)
	if f.UserID != nil {
		s.add(` AND user_id = ` + s.arg(*f.UserID))
	}
	if f.Assigned != nil {
		if *f.Assigned {
			s.add(` AND user_id <> ''`)
		} else {
			s.add(` AND user_id = ''`)
		}
	}
	if f.Kind != "" {
		s.add(` AND kind = ` + s.arg(string(f.Kind)))
	}
	if err := s.page("path", "serial_number", opt); err != nil {
		return opensts.Page[opensts.MFADevice]{}, fmt.Errorf("list MFA devices: %w", err)
	}
	var p opensts.Page[opensts.MFADevice]
	err := db.readOne(ctx, func(q querier) (err error) {
		p, err = queryPage(ctx, q, s, opt, func(row pgx.Row) (opensts.MFADevice, string, error) {
			d, err := scanMFADevice(row)
			return d, d.SerialNumber, err
		})
		return err
	})
	if err != nil {
		return opensts.Page[opensts.MFADevice]{}, fmt.Errorf("list MFA devices: %w", err)
	}
	return p, nil
}

// UpdateMFADevice runs fn on the current device with its row locked FOR NO
// KEY UPDATE: concurrent updaters, on this node or any other, queue on the
// lock, so each sees the previous one's result and exactly one of several
// callers consuming the same time step wins. AccountID, SerialNumber, Kind,
// Name, Path and CreatedAt changes are ignored. Assigning the device to a
// user that does not exist fails with ErrNotFound.
func (db *DB) UpdateMFADevice(ctx context.Context, accountID, serial string, fn func(*opensts.MFADevice) error) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		d, err := getMFADevice(ctx, tx, accountID, serial, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		before := d.UserID
		if err := fn(&d); err != nil {
			return err
		}
		if d.UserID != "" && d.UserID != before {
			if err := lockOwner(ctx, tx, accountID, d.UserID, "FOR KEY SHARE"); err != nil {
				return err
			}
		}
		tags, err := backend.EncodeTags(d.Tags)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE mfa_devices SET sealed_seed = $1, user_id = $2, enable_date = $3, tags = $4,
			last_used_step = $5, drift = $6, failed_attempts = $7, locked_until = $8
			WHERE account_id = $9 AND serial_number = $10`,
			blob(d.SealedSeed), d.UserID, nullTime(d.EnableDate), tags,
			d.LastUsedStep, d.Drift, int64(d.FailedAttempts), nullTime(d.LockedUntil), accountID, serial)
		return err
	})
	if err != nil {
		return fmt.Errorf("update MFA device %s: %w", serial, err)
	}
	return nil
}

// DeleteMFADevice deletes a device, assigned or not.
func (db *DB) DeleteMFADevice(ctx context.Context, accountID, serial string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM mfa_devices WHERE account_id = $1 AND serial_number = $2`, accountID, serial)
		if err == nil && tag.RowsAffected() == 0 {
			err = opensts.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("delete MFA device %s: %w", serial, err)
	}
	return nil
}
