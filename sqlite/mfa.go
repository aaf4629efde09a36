package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/internal/backend"
)

const mfaCols = `account_id, serial_number, kind, name, path, sealed_seed, user_id, enable_date,
	created_at, tags, last_used_step, drift, failed_attempts, locked_until`

func scanMFADevice(row scanner) (opensts.MFADevice, error) {
	var (
		d               opensts.MFADevice
		kind, tags      string
		created         int64
		enabled, locked sql.NullInt64
	)
	if err := row.Scan(&d.AccountID, &d.SerialNumber, &kind, &d.Name, &d.Path, &d.SealedSeed, &d.UserID, &enabled,
		&created, &tags, &d.LastUsedStep, &d.Drift, &d.FailedAttempts, &locked); err != nil {
		return opensts.MFADevice{}, classify(err)
	}
	d.Kind = opensts.MFADeviceKind(kind)
	d.EnableDate = fromNullMicros(enabled)
	d.CreatedAt = fromMicros(created)
	d.LockedUntil = fromNullMicros(locked)
	var err error
	if d.Tags, err = backend.DecodeTags(tags); err != nil {
		return opensts.MFADevice{}, err
	}
	return d, nil
}

func getMFADevice(ctx context.Context, q querier, accountID, serial string) (opensts.MFADevice, error) {
	return scanMFADevice(q.QueryRowContext(ctx, `SELECT `+mfaCols+` FROM mfa_devices WHERE account_id = ? AND serial_number = ?`, accountID, serial))
}

// CreateMFADevice stores a new device. Serial numbers compare exactly.
func (db *DB) CreateMFADevice(ctx context.Context, d opensts.MFADevice, maxDevices int) error {
	tags, err := backend.EncodeTags(d.Tags)
	if err != nil {
		return fmt.Errorf("create MFA device %s: %w", d.SerialNumber, err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := accountExists(ctx, tx, d.AccountID); err != nil {
			return err
		}
		if d.UserID != "" {
			if err := ownerExists(ctx, tx, d.AccountID, d.UserID); err != nil {
				return err
			}
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM mfa_devices WHERE account_id = ? AND serial_number = ?)`, d.AccountID, d.SerialNumber)
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("serial number %s: %w", d.SerialNumber, opensts.ErrAlreadyExists)
		}
		n, err := count(ctx, tx, `SELECT count(*) FROM mfa_devices WHERE account_id = ?`, d.AccountID)
		if err != nil {
			return err
		}
		if n >= maxDevices {
			return backend.LimitExceeded("MFA devices", maxDevices)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO mfa_devices (`+mfaCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.AccountID, d.SerialNumber, string(d.Kind), d.Name, d.Path, blob(d.SealedSeed), d.UserID, nullMicros(d.EnableDate),
			micros(d.CreatedAt), tags, d.LastUsedStep, d.Drift, d.FailedAttempts, nullMicros(d.LockedUntil))
		return classify(err)
	})
	if err != nil {
		return fmt.Errorf("create MFA device %s: %w", d.SerialNumber, err)
	}
	return nil
}

// GetMFADevice returns a device by serial number.
func (db *DB) GetMFADevice(ctx context.Context, accountID, serial string) (opensts.MFADevice, error) {
	d, err := getMFADevice(ctx, db.reader(), accountID, serial)
	if err != nil {
		return opensts.MFADevice{}, fmt.Errorf("get MFA device %s: %w", serial, err)
	}
	return d, nil
}

// ListMFADevices lists the devices that match f, by serial number.
// PathPrefix filters on the device path.
func (db *DB) ListMFADevices(ctx context.Context, accountID string, f opensts.MFAFilter, opt opensts.ListOptions) (opensts.Page[opensts.MFADevice], error) {
	query := `SELECT ` + mfaCols + ` FROM mfa_devices WHERE account_id = ?`
	args := []any{accountID}
	if f.UserID != nil {
		query += ` AND user_id = ?`
		args = append(args, *f.UserID)
	}
	if f.Assigned != nil {
		if *f.Assigned {
			query += ` AND user_id <> ''`
		} else {
			query += ` AND user_id = ''`
		}
	}
	if f.Kind != "" {
		query += ` AND kind = ?`
		args = append(args, string(f.Kind))
	}
	query, args, err := pageQuery(query, args, "path", "serial_number", opt)
	if err != nil {
		return opensts.Page[opensts.MFADevice]{}, fmt.Errorf("list MFA devices: %w", err)
	}
	p, err := queryPage(ctx, db.reader(), query, args, opt, func(row scanner) (opensts.MFADevice, string, error) {
		d, err := scanMFADevice(row)
		return d, d.SerialNumber, err
	})
	if err != nil {
		return opensts.Page[opensts.MFADevice]{}, fmt.Errorf("list MFA devices: %w", err)
	}
	return p, nil
}

// UpdateMFADevice runs fn on the current device inside the write
// transaction; concurrent updaters queue on it, so each sees the previous
// one's result. AccountID, SerialNumber, Kind, Name, Path and CreatedAt
// changes are ignored. Assigning the device to a user that does not exist
// fails with ErrNotFound.
func (db *DB) UpdateMFADevice(ctx context.Context, accountID, serial string, fn func(*opensts.MFADevice) error) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		d, err := getMFADevice(ctx, tx, accountID, serial)
		if err != nil {
			return err
		}
		before := d.UserID
		if err := fn(&d); err != nil {
			return err
		}
		if d.UserID != "" && d.UserID != before {
			if err := ownerExists(ctx, tx, accountID, d.UserID); err != nil {
				return err
			}
		}
		tags, err := backend.EncodeTags(d.Tags)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE mfa_devices SET sealed_seed = ?, user_id = ?, enable_date = ?, tags = ?,
			last_used_step = ?, drift = ?, failed_attempts = ?, locked_until = ?
			WHERE account_id = ? AND serial_number = ?`,
			blob(d.SealedSeed), d.UserID, nullMicros(d.EnableDate), tags,
			d.LastUsedStep, d.Drift, d.FailedAttempts, nullMicros(d.LockedUntil), accountID, serial)
		return classify(err)
	})
	if err != nil {
		return fmt.Errorf("update MFA device %s: %w", serial, err)
	}
	return nil
}

// DeleteMFADevice deletes a device, assigned or not.
func (db *DB) DeleteMFADevice(ctx context.Context, accountID, serial string) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM mfa_devices WHERE account_id = ? AND serial_number = ?`, accountID, serial)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = opensts.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("delete MFA device %s: %w", serial, classify(err))
	}
	return nil
}
