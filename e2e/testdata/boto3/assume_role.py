"""Drives boto3 for e2e/boto3_test.go.

Reads one request as JSON on stdin:
  endpoint   the endpoint_url given to every client
  region     the clients' region
  source     long-term keys {"AccessKeyId", "SecretAccessKey"}
  assume     keyword arguments for sts.assume_role, passed as they are
  calls      [[service, operation], ...] to call with the role session

assume_role runs with a client built from the source keys; then
GetCallerIdentity and each call run with clients built from the returned
credentials. Prints one JSON object on stdout: {"boto3": version,
"assumed": {AssumedRoleUser, AccessKeyId, Expiration, PackedPolicySize},
"identity": {...}, "calls": [{"ok": result} or {"error": {...}}]}, or
{"boto3": version, "error": {...}} when assume_role fails. Secret keys are
never printed.
"""

import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def error_of(err):
    e = err.response.get("Error", {})
    return {
        "Code": e.get("Code"),
        "Message": e.get("Message"),
        "Status": err.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
    }


def without_metadata(result):
    return {k: v for k, v in result.items() if k != "ResponseMetadata"}


def main():
    req = json.load(sys.stdin)
    config = Config(retries={"total_max_attempts": 1})

    def client(service, creds):
        return boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds.get("SessionToken"),
            region_name=req["region"],
        ).client(service, endpoint_url=req["endpoint"], config=config)

    out = {"boto3": boto3.__version__}
    try:
        res = client("sts", req["source"]).assume_role(**req["assume"])
    except ClientError as err:
        out["error"] = error_of(err)
        print(json.dumps(out))
        return

    creds = res["Credentials"]
    out["assumed"] = {
        "AssumedRoleUser": res["AssumedRoleUser"],
        "AccessKeyId": creds["AccessKeyId"],
        "Expiration": creds["Expiration"].isoformat(),
        "PackedPolicySize": res.get("PackedPolicySize"),
    }
    out["identity"] = without_metadata(client("sts", creds).get_caller_identity())
    out["calls"] = []
    for service, operation in req.get("calls", []):
        try:
            result = getattr(client(service, creds), operation)()
            out["calls"].append({"ok": without_metadata(result)})
        except ClientError as err:
            out["calls"].append({"error": error_of(err)})
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
