#!/usr/bin/env python3
"""Generates OpenSTS's SigV4 suite vectors with botocore, an independent signer.

Run from this directory: python3 gen_suite.py (tested with botocore 1.43.11).
Each case directory gets:
  request.http   the signed request as the server receives it (LF line ends)
  canonical.txt  botocore's canonical request
  sts.txt        botocore's string to sign
The cases are OpenSTS's own, in the style of AWS's SigV4 test suite; no file of
that suite is copied. URLs are written in canonical encoding because botocore
signs the query string of a URL as it is written.
"""
import datetime
import hashlib
import os
import shutil

import botocore
import botocore.auth
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "AKIAOPENSTSSUITE0001"
SECRET = "suite/Secret+Key0123456789abcdefghijklmn"
TOKEN = "FwoGZXIvYXdzEOpenSTSSuiteToken/+=="
REGION = "us-east-1"
SERVICE = "sts"
WHEN = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
HOST = "sts.example.com"
FORM = "application/x-www-form-urlencoded; charset=utf-8"

botocore.auth.get_current_datetime = lambda: WHEN.replace(tzinfo=None)


class Recording:
    """Records the canonical request and string to sign botocore signs."""

    def canonical_request(self, request):
        self.creq = super().canonical_request(request)
        return self.creq

    def string_to_sign(self, request, canonical_request):
        self.sts = super().string_to_sign(request, canonical_request)
        return self.sts


class HeaderSigner(Recording, SigV4Auth):
    pass


class QuerySigner(Recording, SigV4QueryAuth):
    pass


def case(name, method="GET", path="/", headers=(), body=b"", token=None,
         presign=None):
    """Signs one request; presign is X-Amz-Expires for query auth."""
    req = AWSRequest(method=method, url="https://" + HOST + path, data=body)
    for k, v in headers:
        req.headers[k] = v  # HTTPHeaders appends: duplicates are kept
    creds = Credentials(ACCESS_KEY, SECRET, token)
    if presign is None:
        signer = HeaderSigner(creds, SERVICE, REGION)
    else:
        signer = QuerySigner(creds, SERVICE, REGION, expires=presign)
    signer.add_auth(req)
    creq, sts = signer.creq, signer.sts

    url = req.url[len("https://" + HOST):]
    lines = [f"{method} {url} HTTP/1.1", f"Host: {HOST}"]
    for k, v in req.headers.items():
        lines.append(f"{k}: {v}")
    data = req.body or b""
    if isinstance(data, str):
        data = data.encode()
    if data:
        lines.append(f"Content-Length: {len(data)}")
    raw = ("\n".join(lines) + "\n\n").encode() + data

    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "request.http"), "wb") as f:
        f.write(raw)
    with open(os.path.join(d, "canonical.txt"), "w") as f:
        f.write(creq)
    with open(os.path.join(d, "sts.txt"), "w") as f:
        f.write(sts)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for entry in os.listdir(here):
        if os.path.isdir(os.path.join(here, entry)):
            shutil.rmtree(os.path.join(here, entry))
    case("get-vanilla")
    case("get-vanilla-query", path="/?Action=GetCallerIdentity&Version=2011-06-15")
    case("get-query-order", path="/?Param2=value2&Param1=value1&Param1=value0")
    case("get-query-unreserved",
         path="/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
              "=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    case("get-query-encoded", path="/?Name=bob%20smith&Policy=%7B%22a%22%3A%22b%2Fc%22%7D&%C3%BC=%E2%82%AC")
    case("get-query-empty-value", path="/?Param1=&Action=ListUsers")
    case("get-utf8-path", path="/%E1%88%B4")
    case("get-space-path", path="/example%20space/")
    case("get-relative-relative", path="/example1/example2/../..")
    case("get-relative", path="/example1/example2/../x/./y")
    case("get-slashes", path="//example//")
    case("get-slash-dot-slash", path="/./")
    case("get-header-value-trim",
         headers=[("My-Header1", "value1"), ("My-Header2", '"a   b   c"')])
    case("get-header-key-duplicate",
         headers=[("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")])
    case("get-date-header", headers=[("Date", "placeholder")])
    case("post-vanilla", method="POST")
    case("post-x-www-form-urlencoded", method="POST",
         headers=[("Content-Type", FORM)],
         body=b"Action=GetCallerIdentity&Version=2011-06-15")
    case("post-security-token", method="POST",
         headers=[("Content-Type", FORM)],
         body=b"Action=GetSessionToken&DurationSeconds=3600&Version=2011-06-15",
         token=TOKEN)
    case("post-content-sha256", method="POST",
         headers=[("Content-Type", FORM),
                  ("X-Amz-Content-SHA256",
                   hashlib.sha256(b"Action=GetCallerIdentity&Version=2011-06-15").hexdigest())],
         body=b"Action=GetCallerIdentity&Version=2011-06-15")
    case("presigned-get", headers=[("X-K8s-Aws-Id", "my-cluster")],
         path="/?Action=GetCallerIdentity&Version=2011-06-15", presign=60)
    case("presigned-get-token", path="/?Action=GetCallerIdentity&Version=2011-06-15",
         token=TOKEN, presign=900)


if __name__ == "__main__":
    main()
