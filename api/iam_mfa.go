package api

import (
	"context"
	"encoding/base64"

	"github.com/opensts/opensts/iam"
)

// blob renders a Query-protocol blob: base64 of the bytes.
func blob(name string, b []byte) *node { return leaf(name, base64.StdEncoding.EncodeToString(b)) }

func (s *Server) createVirtualMFADevice(ctx context.Context, c *call) (*node, error) {
	d, err := s.cfg.IAM.CreateVirtualMFADevice(ctx, c.caller, iam.CreateVirtualMFADeviceInput{
		VirtualMFADeviceName: c.p.get("VirtualMFADeviceName"), Path: c.p.get("Path"), Tags: tagInputs(c.p),
	})
	if err != nil {
		return nil, err
	}
	return el("", el("VirtualMFADevice",
		leaf("SerialNumber", d.SerialNumber),
		blob("Base32StringSeed", []byte(d.Base32StringSeed)),
		blob("QRCodePNG", d.QRCodePNG),
		tagsNode(d.Tags))), nil
}

func mfaInput(p params) iam.MFAInput {
	return iam.MFAInput{UserName: p.get("UserName"), SerialNumber: p.get("SerialNumber"),
		AuthenticationCode1: p.get("AuthenticationCode1"), AuthenticationCode2: p.get("AuthenticationCode2")}
}

func (s *Server) enableMFADevice(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.EnableMFADevice(ctx, c.caller, mfaInput(c.p))
}

func (s *Server) resyncMFADevice(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.ResyncMFADevice(ctx, c.caller, mfaInput(c.p))
}

func (s *Server) deactivateMFADevice(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.DeactivateMFADevice(ctx, c.caller, mfaInput(c.p))
}

func (s *Server) deleteVirtualMFADevice(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.DeleteVirtualMFADevice(ctx, c.caller, mfaInput(c.p))
}

func (s *Server) listMFADevices(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListMFADevices(ctx, c.caller, iam.UserRef{UserName: c.p.get("UserName")}, li)
	if err != nil {
		return nil, err
	}
	members := make([]*node, 0, len(page.Items))
	for _, d := range page.Items {
		user := d.UserName
		if d.Root {
			user = d.AccountID
		}
		members = append(members, el("", leaf("UserName", user), leaf("SerialNumber", d.SerialNumber), timeLeaf("EnableDate", d.EnableDate)))
	}
	return pageNodes(el("", list("MFADevices", members)), page.Marker), nil
}

func (s *Server) listVirtualMFADevices(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListVirtualMFADevices(ctx, c.caller, iam.ListVirtualMFADevicesInput{AssignmentStatus: c.p.get("AssignmentStatus"), ListInput: li})
	if err != nil {
		return nil, err
	}
	members := make([]*node, 0, len(page.Items))
	for _, d := range page.Items {
		m := el("", leaf("SerialNumber", d.SerialNumber))
		switch {
		case d.Root:
			m.kids = append(m.kids, el("User", leaf("UserId", d.AccountID), leaf("Arn", "arn:aws:iam::"+d.AccountID+":root"), timeLeaf("CreateDate", d.EnableDate)))
		case d.User != nil:
			m.kids = append(m.kids, userNode("User", *d.User, false))
		}
		if d.Assigned() {
			m.kids = append(m.kids, timeLeaf("EnableDate", d.EnableDate))
		}
		if t := tagsNode(d.Tags); t != nil {
			m.kids = append(m.kids, t)
		}
		members = append(members, m)
	}
	return pageNodes(el("", list("VirtualMFADevices", members)), page.Marker), nil
}
