package issuer

import (
	"crypto/sha256"
	"strconv"
	"sync"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/policy"
)

// validPolicies remembers the session policies recently found valid, by
// the SHA-256 of their text: clients tend to send the same session policy
// with every request, and parsing it is a large part of issuing. Only
// valid texts are kept (an invalid one is parsed again, to word its
// error); bounded, starting over when full.
var validPolicies = struct {
	sync.Mutex
	m map[[32]byte]struct{}
}{m: make(map[[32]byte]struct{})}

const maxValidPolicies = 4096

// checkSessionPolicy parses a session policy, or finds it among those
// already found valid.
func checkSessionPolicy(text string) error {
	key := sha256.Sum256([]byte(text))
	validPolicies.Lock()
	_, ok := validPolicies.m[key]
	validPolicies.Unlock()
	if ok {
		return nil
	}
	if _, err := policy.Parse(text, policy.Session); err != nil {
		return err
	}
	validPolicies.Lock()
	if len(validPolicies.m) >= maxValidPolicies {
		clear(validPolicies.m)
	}
	validPolicies.m[key] = struct{}{}
	validPolicies.Unlock()
	return nil
}

// sessionPolicies checks the inline session policy and the managed session
// policies (PolicyArns) a request passes, and returns them as a session
// carries them.
func sessionPolicies(text *string, arns []*string, accountID string) (string, []string, error) {
	var doc string
	if text != nil {
		if err := checkSessionPolicy(*text); err != nil {
			return "", nil, err
		}
		doc = *text
	}
	if len(arns) > MaxPolicyARNs {
		return "", nil, opensts.Errorf(opensts.ErrInvalidParameter, "At most %d PolicyArns may be passed; %d were.", MaxPolicyARNs, len(arns))
	}
	var out []string
	for i, a := range arns {
		if err := checkPolicyARN(*a, accountID, i+1); err != nil {
			return "", nil, err
		}
		out = append(out, *a)
	}
	return doc, out, nil
}

// rulePolicyARN is PolicyDescriptorType's arn (botocore sts model).
var rulePolicyARN = opensts.StringRule{Required: true, Min: 20, Max: 2048, Pattern: &opensts.PatternARN}

// checkPolicyARNMembers checks each PolicyArns.member.N.arn against the
// model.
func checkPolicyARNMembers(v *opensts.ValidationError, arns []*string) {
	for i, arn := range arns {
		v.CheckString("policyArns."+strconv.Itoa(i+1)+".member.arn", arn, rulePolicyARN)
	}
}
