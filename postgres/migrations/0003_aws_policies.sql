-- 0003_aws_policies: attachments of AWS managed policies
-- (arn:aws:iam::aws:policy/…), for PostgreSQL; mirrors
-- sqlite/migrations/0003_aws_policies.sql. Those policies are not stored
-- (their ids and documents come from opensts.AWSManagedPolicies), so an
-- attachment's policy_id is a customer managed policy or one of their ids,
-- and the foreign key on policy_id goes. The foreign key of 0001 is a
-- column constraint, named by PostgreSQL <table>_<column>_fkey.

ALTER TABLE policy_attachments DROP CONSTRAINT policy_attachments_policy_id_fkey;
