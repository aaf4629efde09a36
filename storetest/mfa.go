package storetest

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/opensts/opensts"
)

var mfaTests = []test{
	{"CreateGet", testMFACreateGet},
	{"CreateErrors", testMFACreateErrors},
	{"List", testMFAList},
	{"Update", testMFAUpdate},
	{"UpdateImmutable", testMFAUpdateImmutable},
	{"UpdateAbort", testMFAUpdateAbort},
	{"UpdateConcurrent", testMFAUpdateConcurrent},
	{"Delete", testMFADelete},
}

func testMFACreateGet(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "alice")

	virtual := newVirtualDevice("alice-phone", "/eng/")
	must(t, "CreateMFADevice virtual", s.CreateMFADevice(ctx, virtual, noLimit))
	got, err := s.GetMFADevice(ctx, acctID, virtual.SerialNumber)
	must(t, "GetMFADevice virtual", err)
	diff(t, "unassigned virtual device", virtual, got)
	if got.Assigned() {
		t.Errorf("unassigned device: Assigned() = true")
	}

	hw := opensts.MFADevice{
		AccountID:      acctID,
		SerialNumber:   "GAHT12345678",
		Kind:           opensts.MFAHardware,
		SealedSeed:     allBytes,
		UserID:         u.ID,
		EnableDate:     at(7),
		CreatedAt:      at(6),
		LastUsedStep:   57_000_000,
		Drift:          -3,
		FailedAttempts: 3,
		LockedUntil:    at(8),
	}
	must(t, "CreateMFADevice hardware", s.CreateMFADevice(ctx, hw, noLimit))
	got, err = s.GetMFADevice(ctx, acctID, hw.SerialNumber)
	must(t, "GetMFADevice hardware", err)
	diff(t, "assigned hardware device", hw, got)

	root := newVirtualDevice("root-device", "/")
	root.UserID, root.EnableDate = acctID, at(9)
	must(t, "CreateMFADevice root", s.CreateMFADevice(ctx, root, noLimit))
	got, err = s.GetMFADevice(ctx, acctID, root.SerialNumber)
	must(t, "GetMFADevice root", err)
	diff(t, "root device", root, got)

	_, err = s.GetMFADevice(ctx, acctID, "GAHT00000000")
	wantErr(t, "GetMFADevice unknown", err, opensts.ErrNotFound)
	_, err = s.GetMFADevice(ctx, "210987654321", hw.SerialNumber)
	wantErr(t, "GetMFADevice in another account", err, opensts.ErrNotFound)
}

func testMFACreateErrors(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	d := newVirtualDevice("phone", "/")
	must(t, "CreateMFADevice", s.CreateMFADevice(ctx, d, noLimit))
	dup := newVirtualDevice("phone", "/")
	dup.SealedSeed = sealed(7)
	wantErr(t, "CreateMFADevice taken serial", s.CreateMFADevice(ctx, dup, noLimit), opensts.ErrAlreadyExists)
	got, err := s.GetMFADevice(ctx, acctID, d.SerialNumber)
	must(t, "GetMFADevice", err)
	diff(t, "device after a refused duplicate", d, got)

	wantErr(t, "CreateMFADevice with maxDevices 0", s.CreateMFADevice(ctx, newVirtualDevice("zero", "/"), 0), opensts.ErrLimitExceeded)
	must(t, "CreateMFADevice 2 of 2", s.CreateMFADevice(ctx, newVirtualDevice("second", "/"), 2))
	third := newVirtualDevice("third", "/")
	wantErr(t, "CreateMFADevice 3 of 2", s.CreateMFADevice(ctx, third, 2), opensts.ErrLimitExceeded)
	_, err = s.GetMFADevice(ctx, acctID, third.SerialNumber)
	wantErr(t, "GetMFADevice after a refused create", err, opensts.ErrNotFound)

	foreign := newVirtualDevice("foreign", "/")
	foreign.AccountID = "210987654321"
	wantErr(t, "CreateMFADevice in an unknown account", s.CreateMFADevice(ctx, foreign, noLimit), opensts.ErrNotFound)
	orphan := newVirtualDevice("orphan", "/")
	orphan.UserID, orphan.EnableDate = "AIDAUNKNOWNUNKNOWNX", at(1)
	wantErr(t, "CreateMFADevice assigned to an unknown user", s.CreateMFADevice(ctx, orphan, noLimit), opensts.ErrNotFound)
}

// testMFAList checks every filter alone and combined, with paging in serial
// number order.
func testMFAList(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	alice, bob := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	var all []opensts.MFADevice
	add := func(d opensts.MFADevice) {
		t.Helper()
		must(t, "CreateMFADevice "+d.SerialNumber, s.CreateMFADevice(ctx, d, noLimit))
		all = append(all, d)
	}
	for i := range 5 {
		add(newVirtualDevice(fmt.Sprintf("free%d", i), "/"))
	}
	for i := range 3 {
		d := newVirtualDevice(fmt.Sprintf("alice%d", i), "/eng/")
		d.UserID, d.EnableDate = alice.ID, at(10+i)
		add(d)
	}
	bobHW := opensts.MFADevice{AccountID: acctID, SerialNumber: "GAHT00000001", Kind: opensts.MFAHardware,
		SealedSeed: sealed(3), UserID: bob.ID, EnableDate: at(20), CreatedAt: at(19)}
	add(bobHW)
	add(opensts.MFADevice{AccountID: acctID, SerialNumber: "GAHT00000002", Kind: opensts.MFAHardware,
		SealedSeed: sealed(4), CreatedAt: at(19)})
	rootDev := newVirtualDevice("root", "/")
	rootDev.UserID, rootDev.EnableDate = acctID, at(21)
	add(rootDev)
	sort.Slice(all, func(i, j int) bool { return all[i].SerialNumber < all[j].SerialNumber })

	cases := []struct {
		name string
		f    opensts.MFAFilter
		opt  opensts.ListOptions
		keep func(opensts.MFADevice) bool
	}{
		{"all", opensts.MFAFilter{}, opensts.ListOptions{}, func(opensts.MFADevice) bool { return true }},
		{"alice", opensts.MFAFilter{UserID: ptr(alice.ID)}, opensts.ListOptions{}, func(d opensts.MFADevice) bool { return d.UserID == alice.ID }},
		{"root", opensts.MFAFilter{UserID: ptr(acctID)}, opensts.ListOptions{}, func(d opensts.MFADevice) bool { return d.UserID == acctID }},
		{"assigned", opensts.MFAFilter{Assigned: ptr(true)}, opensts.ListOptions{}, func(d opensts.MFADevice) bool { return d.UserID != "" }},
		{"unassigned", opensts.MFAFilter{Assigned: ptr(false)}, opensts.ListOptions{}, func(d opensts.MFADevice) bool { return d.UserID == "" }},
		{"hardware", opensts.MFAFilter{Kind: opensts.MFAHardware}, opensts.ListOptions{}, func(d opensts.MFADevice) bool { return d.Kind == opensts.MFAHardware }},
		{"unassigned virtual", opensts.MFAFilter{Assigned: ptr(false), Kind: opensts.MFAVirtual}, opensts.ListOptions{},
			func(d opensts.MFADevice) bool { return d.UserID == "" && d.Kind == opensts.MFAVirtual }},
		{"bob virtual", opensts.MFAFilter{UserID: ptr(bob.ID), Kind: opensts.MFAVirtual}, opensts.ListOptions{}, func(opensts.MFADevice) bool { return false }},
		{"path /eng/", opensts.MFAFilter{}, opensts.ListOptions{PathPrefix: "/eng/"}, func(d opensts.MFADevice) bool { return d.Path == "/eng/" }},
	}
	for _, tc := range cases {
		var want []opensts.MFADevice
		for _, d := range all {
			if tc.keep(d) {
				want = append(want, d)
			}
		}
		checkPaging(t, "ListMFADevices "+tc.name, want, func(opt opensts.ListOptions) (opensts.Page[opensts.MFADevice], error) {
			return s.ListMFADevices(ctx, acctID, tc.f, opt)
		}, tc.opt)
	}
}

func testMFAUpdate(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	u := mustUser(t, s, "alice")
	d := newVirtualDevice("phone", "/")
	must(t, "CreateMFADevice", s.CreateMFADevice(ctx, d, noLimit))

	var seen opensts.MFADevice
	must(t, "UpdateMFADevice assign", s.UpdateMFADevice(ctx, acctID, d.SerialNumber, func(cur *opensts.MFADevice) error {
		seen = *cur
		cur.UserID = u.ID
		cur.EnableDate = at(30)
		cur.LastUsedStep = 1234
		cur.Drift = 7
		cur.FailedAttempts = 2
		cur.LockedUntil = at(31)
		cur.Tags = []opensts.Tag{{Key: "new", Value: "tag"}}
		cur.SealedSeed = sealed(8)
		return nil
	}))
	diff(t, "UpdateMFADevice: value passed to fn", d, seen)
	want := d
	want.UserID, want.EnableDate, want.LastUsedStep, want.Drift, want.FailedAttempts, want.LockedUntil = u.ID, at(30), 1234, 7, 2, at(31)
	want.Tags, want.SealedSeed = []opensts.Tag{{Key: "new", Value: "tag"}}, sealed(8)
	got, err := s.GetMFADevice(ctx, acctID, d.SerialNumber)
	must(t, "GetMFADevice", err)
	diff(t, "assigned device", want, got)

	// Unassigning clears the user and the times.
	must(t, "UpdateMFADevice unassign", s.UpdateMFADevice(ctx, acctID, d.SerialNumber, func(cur *opensts.MFADevice) error {
		cur.UserID = ""
		cur.EnableDate = time.Time{}
		cur.LockedUntil = time.Time{}
		cur.FailedAttempts = 0
		return nil
	}))
	want.UserID, want.EnableDate, want.LockedUntil, want.FailedAttempts = "", time.Time{}, time.Time{}, 0
	got, err = s.GetMFADevice(ctx, acctID, d.SerialNumber)
	must(t, "GetMFADevice", err)
	diff(t, "unassigned device", want, got)

	err = s.UpdateMFADevice(ctx, acctID, d.SerialNumber, func(cur *opensts.MFADevice) error {
		cur.UserID = "AIDAUNKNOWNUNKNOWNX"
		return nil
	})
	wantErr(t, "UpdateMFADevice assign to an unknown user", err, opensts.ErrNotFound)
	got, err = s.GetMFADevice(ctx, acctID, d.SerialNumber)
	must(t, "GetMFADevice", err)
	diff(t, "device after a refused assignment", want, got)

	called := false
	err = s.UpdateMFADevice(ctx, acctID, "GAHT00000000", func(*opensts.MFADevice) error { called = true; return nil })
	wantErr(t, "UpdateMFADevice unknown", err, opensts.ErrNotFound)
	if called {
		t.Errorf("UpdateMFADevice unknown: fn was called")
	}
}

// testMFAUpdateImmutable: AccountID, SerialNumber, Kind, Name, Path and
// CreatedAt changes are ignored.
func testMFAUpdateImmutable(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	d := newVirtualDevice("phone", "/eng/")
	must(t, "CreateMFADevice", s.CreateMFADevice(ctx, d, noLimit))
	must(t, "UpdateMFADevice", s.UpdateMFADevice(ctx, acctID, d.SerialNumber, func(cur *opensts.MFADevice) error {
		cur.AccountID = "210987654321"
		cur.SerialNumber = "GAHTCHANGED0"
		cur.Kind = opensts.MFAHardware
		cur.Name = "renamed"
		cur.Path = "/moved/"
		cur.CreatedAt = at(9999)
		cur.LastUsedStep = 77
		return nil
	}))
	want := d
	want.LastUsedStep = 77
	got, err := s.GetMFADevice(ctx, acctID, d.SerialNumber)
	must(t, "GetMFADevice", err)
	diff(t, "device after changing immutable fields", want, got)
	_, err = s.GetMFADevice(ctx, acctID, "GAHTCHANGED0")
	wantErr(t, "GetMFADevice by the attempted new serial", err, opensts.ErrNotFound)
}

func testMFAUpdateAbort(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	d := newVirtualDevice("phone", "/")
	d.LastUsedStep = 10
	must(t, "CreateMFADevice", s.CreateMFADevice(ctx, d, noLimit))
	err := s.UpdateMFADevice(ctx, acctID, d.SerialNumber, func(cur *opensts.MFADevice) error {
		cur.LastUsedStep = 11
		cur.FailedAttempts = 5
		return errStop
	})
	wantErr(t, "UpdateMFADevice with a failing fn", err, errStop)
	got, err := s.GetMFADevice(ctx, acctID, d.SerialNumber)
	must(t, "GetMFADevice", err)
	diff(t, "device after an aborted update", d, got)
}

// testMFAUpdateConcurrent: N callers accept the same TOTP time step at once;
// each moves LastUsedStep from S to S+1 only if it is still S. Updaters are
// serialized, so exactly one wins and the others see S+1.
func testMFAUpdateConcurrent(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	const step, n = 57_000_000, 16
	d := newVirtualDevice("phone", "/")
	d.LastUsedStep = step
	must(t, "CreateMFADevice", s.CreateMFADevice(ctx, d, noLimit))
	errReplay := errors.New("time step already used")
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.UpdateMFADevice(ctx, acctID, d.SerialNumber, func(cur *opensts.MFADevice) error {
				if cur.LastUsedStep != step {
					return errReplay
				}
				cur.LastUsedStep = step + 1
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantErr(t, "concurrent UpdateMFADevice", err, errReplay)
	}
	if won != 1 {
		t.Errorf("concurrent UpdateMFADevice: %d callers consumed step %d, want exactly 1", won, step)
	}
	got, err := s.GetMFADevice(ctx, acctID, d.SerialNumber)
	must(t, "GetMFADevice", err)
	if got.LastUsedStep != step+1 {
		t.Errorf("LastUsedStep = %d, want %d", got.LastUsedStep, step+1)
	}
}

func testMFADelete(t *testing.T, s opensts.Store) {
	ctx := t.Context()
	mustAccount(t, s)
	d, keep := newVirtualDevice("phone", "/"), newVirtualDevice("tablet", "/")
	must(t, "CreateMFADevice", s.CreateMFADevice(ctx, d, noLimit))
	must(t, "CreateMFADevice", s.CreateMFADevice(ctx, keep, noLimit))
	wantErr(t, "DeleteMFADevice in another account", s.DeleteMFADevice(ctx, "210987654321", d.SerialNumber), opensts.ErrNotFound)
	must(t, "DeleteMFADevice", s.DeleteMFADevice(ctx, acctID, d.SerialNumber))
	_, err := s.GetMFADevice(ctx, acctID, d.SerialNumber)
	wantErr(t, "GetMFADevice after delete", err, opensts.ErrNotFound)
	wantErr(t, "DeleteMFADevice again", s.DeleteMFADevice(ctx, acctID, d.SerialNumber), opensts.ErrNotFound)
	got, err := s.GetMFADevice(ctx, acctID, keep.SerialNumber)
	must(t, "GetMFADevice other", err)
	diff(t, "untouched device", keep, got)
	// The serial number is free again.
	must(t, "CreateMFADevice with the deleted serial", s.CreateMFADevice(ctx, d, noLimit))
}
