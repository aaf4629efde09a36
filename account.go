package opensts

import (
	"strings"
	"time"
)

// Account is an AWS-style account: a 12-digit id that owns users, keys,
// devices and policies. OpenSTS creates one default account on first start.
type Account struct {
	ID        string
	CreatedAt time.Time
}

// RootARN is the account root user's ARN, arn:aws:iam::<acct>:root.
func RootARN(accountID string) string { return "arn:aws:iam::" + accountID + ":root" }

// UserARN is arn:aws:iam::<acct>:user<path><name> (spec §3.6).
func UserARN(accountID, path, name string) string {
	return "arn:aws:iam::" + accountID + ":user" + normPath(path) + name
}

// GroupARN is arn:aws:iam::<acct>:group<path><name>.
func GroupARN(accountID, path, name string) string {
	return "arn:aws:iam::" + accountID + ":group" + normPath(path) + name
}

// PolicyARN is arn:aws:iam::<acct>:policy<path><name>.
func PolicyARN(accountID, path, name string) string {
	return "arn:aws:iam::" + accountID + ":policy" + normPath(path) + name
}

// MFAARN is a virtual MFA device's serial number, arn:aws:iam::<acct>:mfa<path><name>.
func MFAARN(accountID, path, name string) string {
	return "arn:aws:iam::" + accountID + ":mfa" + normPath(path) + name
}

// FederatedUserARN is arn:aws:sts::<acct>:federated-user/<name>.
func FederatedUserARN(accountID, name string) string {
	return "arn:aws:sts::" + accountID + ":federated-user/" + name
}

// RoleARN is arn:aws:iam::<acct>:role<path><name>.
func RoleARN(accountID, path, name string) string {
	return "arn:aws:iam::" + accountID + ":role" + normPath(path) + name
}

// AssumedRoleARN is a role session's ARN,
// arn:aws:sts::<acct>:assumed-role/<role name>/<session name>: the role's
// path is not part of it.
func AssumedRoleARN(accountID, roleName, sessionName string) string {
	return "arn:aws:sts::" + accountID + ":assumed-role/" + roleName + "/" + sessionName
}

func normPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// ParseIAMARN splits arn:aws:iam::<acct>:<kind><path><name> into its parts.
// For "policy/a/b/Name" it returns kind "policy", path "/a/b/" and name "Name".
func ParseIAMARN(arn string) (accountID, kind, path, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:aws:iam::")
	if !found {
		return "", "", "", "", false
	}
	accountID, rest, found = strings.Cut(rest, ":")
	if !found {
		return "", "", "", "", false
	}
	slash := strings.IndexByte(rest, '/')
	if slash <= 0 {
		return "", "", "", "", false
	}
	kind = rest[:slash]
	last := strings.LastIndexByte(rest, '/')
	path, name = rest[slash:last+1], rest[last+1:]
	if name == "" {
		return "", "", "", "", false
	}
	return accountID, kind, path, name, true
}
