// Drives the AWS SDK for JavaScript v3 for e2e/js_sdk_test.go: reads one
// request as JSON on stdin, obtains role credentials with a credential
// provider, calls GetCallerIdentity with them and prints the outcome as JSON
// on stdout. Secret keys are never printed.
//
// Request fields:
//   provider   "temporary" (fromTemporaryCredentials) or "ini" (fromIni)
//   region     the clients' region
//   endpoint   the STS endpoint given in code (clientConfig.endpoint and the
//              GetCallerIdentity client); when absent the SDK resolves it
//              (AWS_ENDPOINT_URL_STS, a profile's endpoint_url, ...)
//   source     long-term keys {accessKeyId, secretAccessKey} ("temporary")
//   params     AssumeRole parameters ("temporary")
//   chain      further AssumeRole parameters, each assumed with the
//              credentials of the one before ("temporary")
//   profile    the profile to read ("ini"; absent: AWS_PROFILE or default)
//   mfaCode    what the mfaCodeProvider answers
//
// Output: {"identity": {Arn, Account, UserId}, "accessKeyId", "expiration",
// "mfaSerials": [serials the SDK asked codes for]} or {"error": {name,
// message, status}}.
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromIni, fromTemporaryCredentials } from "@aws-sdk/credential-providers";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const req = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const mfaSerials = [];
const mfaCodeProvider = async (serial) => {
  mfaSerials.push(serial);
  if (!req.mfaCode) throw new Error(`no MFA code for ${serial}`);
  return req.mfaCode;
};

// Client options for the endpoint in code, if any. No retries: a refusal
// is answered once.
const clientConfig = { region: req.region, maxAttempts: 1 };
if (req.endpoint) clientConfig.endpoint = req.endpoint;

function provider() {
  switch (req.provider) {
    case "temporary": {
      let creds = fromTemporaryCredentials({
        masterCredentials: req.source,
        params: req.params,
        clientConfig,
        mfaCodeProvider,
      });
      for (const params of req.chain ?? []) {
        creds = fromTemporaryCredentials({ masterCredentials: creds, params, clientConfig, mfaCodeProvider });
      }
      return creds;
    }
    case "ini": {
      const options = { mfaCodeProvider, clientConfig: { maxAttempts: 1 } };
      if (req.profile) options.profile = req.profile;
      return fromIni(options);
    }
    default:
      throw new Error(`unknown provider ${req.provider}`);
  }
}

try {
  // Resolved once: an MFA code is good for one call.
  const resolved = await provider()();
  const sts = new STSClient({ ...clientConfig, credentials: resolved });
  const id = await sts.send(new GetCallerIdentityCommand({}));
  console.log(JSON.stringify({
    identity: { Arn: id.Arn, Account: id.Account, UserId: id.UserId },
    accessKeyId: resolved.accessKeyId,
    expiration: resolved.expiration?.toISOString(),
    mfaSerials,
  }));
} catch (err) {
  console.log(JSON.stringify({
    error: { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode },
    mfaSerials,
  }));
}
