-- 0003_aws_policies: attachments of AWS managed policies
-- (arn:aws:iam::aws:policy/…). Those policies are the same in every
-- account and are not stored: their ids, documents and dates come from
-- opensts.AWSManagedPolicies. An attachment's policy_id is therefore
-- either a customer managed policy of managed_policies or one of those
-- ids, and the foreign key on policy_id goes; DeletePolicy refuses a
-- policy that is still attached, so no attachment outlives its policy.
-- PostgreSQL mirrors it as postgres/migrations/0003_aws_policies.sql.

CREATE TABLE policy_attachments_0003 (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('user', 'group', 'role')),
    owner_id   TEXT NOT NULL,
    policy_id  TEXT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, policy_id)
);
INSERT INTO policy_attachments_0003 SELECT account_id, owner_kind, owner_id, policy_id FROM policy_attachments;
DROP TABLE policy_attachments;
ALTER TABLE policy_attachments_0003 RENAME TO policy_attachments;
CREATE INDEX policy_attachments_policy ON policy_attachments (policy_id);
