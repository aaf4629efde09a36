package api

import (
	"context"
	"strconv"

	"github.com/opensts/opensts/iam"
	"github.com/opensts/opensts/policy"
)

// contextEntries decodes ContextEntries.member.N.{ContextKeyName,
// ContextKeyValues.member.M, ContextKeyType}.
func contextEntries(p params) []iam.ContextEntry {
	var out []iam.ContextEntry
	for i := 1; i <= maxListMembers; i++ {
		prefix := "ContextEntries.member." + strconv.Itoa(i) + "."
		e := iam.ContextEntry{ContextKeyName: p.get(prefix + "ContextKeyName"), ContextKeyType: p.get(prefix + "ContextKeyType"),
			ContextKeyValues: p.list(prefix + "ContextKeyValues")}
		if e.ContextKeyName == nil && e.ContextKeyType == nil && e.ContextKeyValues == nil {
			break
		}
		out = append(out, e)
	}
	return out
}

// listOrEmpty decodes a list, distinguishing absent (nil) from "Name=" (empty).
func listOrEmpty(p params, name string) []string {
	l := p.list(name)
	if l == nil && p.get(name) != nil {
		return []string{}
	}
	return l
}

func simulateInput(p params) (iam.SimulateInput, error) {
	li, err := listInput(p)
	return iam.SimulateInput{
		PolicySourceArn:                    p.get("PolicySourceArn"),
		PolicyInputList:                    listOrEmpty(p, "PolicyInputList"),
		PermissionsBoundaryPolicyInputList: p.list("PermissionsBoundaryPolicyInputList"),
		ActionNames:                        listOrEmpty(p, "ActionNames"),
		ResourceArns:                       p.list("ResourceArns"),
		ResourcePolicy:                     p.get("ResourcePolicy"),
		CallerArn:                          p.get("CallerArn"),
		ContextEntries:                     contextEntries(p),
		ListInput:                          li,
	}, err
}

func positionNode(name string, pos policy.Position) *node {
	return el(name, intLeaf("Line", pos.Line), intLeaf("Column", pos.Column))
}

// sourcePolicyType names where a matched statement came from, in IAM's terms.
func sourcePolicyType(m policy.Match) string {
	switch m.Type {
	case policy.ResourceBased:
		return "resource"
	case policy.PermissionsBoundary, policy.SessionPolicy:
		return "none"
	}
	if len(m.PolicyID) > 4 && m.PolicyID[:4] == "arn:" {
		return "user-managed"
	}
	if len(m.PolicyID) > 15 && m.PolicyID[:15] == "PolicyInputList" {
		return "none"
	}
	return "user"
}

// evaluationNode renders one EvaluationResult.
func evaluationNode(r iam.EvaluationResult) *node {
	matched := make([]*node, 0, len(r.Decision.Matched))
	for _, m := range r.Decision.Matched {
		mn := el("", leaf("SourcePolicyId", m.PolicyID))
		// IAM names the type of stored policies only (AWS's own output
		// for PolicyInputList statements has none).
		if t := sourcePolicyType(m); t != "none" {
			mn.kids = append(mn.kids, leaf("SourcePolicyType", t))
		}
		mn.kids = append(mn.kids, positionNode("StartPosition", m.Start), positionNode("EndPosition", m.End))
		matched = append(matched, mn)
	}
	missing := make([]*node, 0, len(r.Decision.MissingContextKeys))
	for _, k := range r.Decision.MissingContextKeys {
		missing = append(missing, leaf("", k))
	}
	n := el("",
		leaf("EvalActionName", r.Action),
		leaf("EvalResourceName", r.Resource),
		leaf("EvalDecision", r.Decision.Effect.String()),
		list("MatchedStatements", matched),
		list("MissingContextValues", missing))
	if r.Boundary != nil {
		n.kids = append(n.kids, el("PermissionsBoundaryDecisionDetail", boolLeaf("AllowedByPermissionsBoundary", *r.Boundary)))
	}
	return n
}

func (s *Server) simulate(ctx context.Context, c *call, custom bool) (*node, error) {
	in, err := simulateInput(c.p)
	if err != nil {
		return nil, err
	}
	run := s.cfg.IAM.SimulatePrincipalPolicy
	if custom {
		run = s.cfg.IAM.SimulateCustomPolicy
	}
	res, err := run(ctx, c.caller, in)
	if err != nil {
		return nil, err
	}
	members := make([]*node, 0, len(res.Items))
	for _, r := range res.Items {
		members = append(members, evaluationNode(r))
	}
	return pageNodes(el("", list("EvaluationResults", members)), res.Marker), nil
}

func (s *Server) simulateCustomPolicy(ctx context.Context, c *call) (*node, error) {
	return s.simulate(ctx, c, true)
}

func (s *Server) simulatePrincipalPolicy(ctx context.Context, c *call) (*node, error) {
	return s.simulate(ctx, c, false)
}

func (s *Server) getContextKeysForCustomPolicy(ctx context.Context, c *call) (*node, error) {
	keys, err := s.cfg.IAM.GetContextKeysForCustomPolicy(ctx, c.caller, iam.ContextKeysInput{PolicyInputList: listOrEmpty(c.p, "PolicyInputList")})
	if err != nil {
		return nil, err
	}
	members := make([]*node, 0, len(keys))
	for _, k := range keys {
		members = append(members, leaf("", k))
	}
	return el("", list("ContextKeyNames", members)), nil
}
