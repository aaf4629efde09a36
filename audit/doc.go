// Package audit owns OpenSTS's audit trail (DESIGN.md, key decision 7): the
// file where every credential issued or refused and every IAM mutation is
// written, one CloudTrail-shaped JSON record per line, and the reading and
// filtering behind `opensts audit`.
//
// It imports the root package (for opensts.Event and opensts.Auditor) and
// the standard library only. It knows nothing of HTTP or of the store:
// callers build the Event, and cmd chooses the file.
//
// # Records
//
// A line is a CloudTrail record, event version 1.08, with CloudTrail's field
// names and order, so tools that read CloudTrail read it too:
//
//	eventVersion, userIdentity{type, principalId, arn, accountId,
//	accessKeyId, userName}, eventTime ("2006-01-02T15:04:05Z", UTC),
//	eventSource, eventName, awsRegion, sourceIPAddress, userAgent,
//	errorCode, errorMessage (only on errors), requestParameters,
//	responseElements (objects, or null), requestID, eventID, readOnly,
//	eventType ("AwsApiCall"), managementEvent (true), recipientAccountId
//	(the signer's account), eventCategory ("Management")
//
// An event without a time is stamped by Config.Now; one without an eventID
// gets a random UUID. time.Time values inside requestParameters and
// responseElements are written like eventTime.
//
// # Secrets are never written
//
// Callers must not put secrets in events; as a second line of defence,
// members of requestParameters and responseElements named, at any depth and
// in any letter case (with '_' and '-' ignored), secretAccessKey,
// sessionToken, tokenCode, authenticationCode1, authenticationCode2,
// base32StringSeed, qrCodePNG, password, oldPassword, newPassword,
// servicePassword, privateKey, securityToken or X-Amz-Security-Token are
// dropped before the line is encoded, and the Log warns once per action and
// member name so the caller gets fixed. The value is never logged. Policy
// documents are not secrets and are kept. Structs and other types are
// scrubbed through their JSON form, so a json tag cannot smuggle a secret
// past the filter.
//
// # Durability
//
// Record encodes the event on the caller's goroutine and returns only once
// its line has been written to the file: a write(2) holding it has
// returned, so the line is in the operating system's hands and a crash of
// the process (kill -9, a panic, OOM) cannot lose it. Writes use group
// commit: when nothing else is queued or being written, Record writes its
// line itself; otherwise it queues the line for a single writer goroutine,
// which writes every queued line (up to 256 KiB) with one write, wakes
// their Records and starts over, so the lines that arrive while one write
// runs make the next. A busy server makes one write per batch, not one per
// request, and a Record waits, beyond the write that carries its line, only
// for writes already under way or queued before it. No event is ever
// dropped: when 10,000 events wait for the writer (a stalled disk), Record
// blocks, and the request path with it, rather than lose one, and the Log
// warns once per episode. While the file cannot be written, Records wait
// and the writer retries. An audit trail that cannot be written stops
// credentials being issued instead of issuing them unrecorded.
//
// Two modes, chosen by Config.Sync, differ in when the line is fsynced:
//
//   - Default. Record returns once its line is written. A separate
//     goroutine fsyncs every FlushInterval (1 s), or as soon as 256 KiB are
//     unsynced, without holding up writes: no request waits for a disk
//     flush. A crash of the process loses nothing that was acknowledged; a
//     crash of the machine (power, kernel) may lose up to FlushInterval of
//     written lines. Record costs a JSON encoding and, unless the line joins
//     a batch, one write(2).
//   - Synchronous (Sync: true). Record returns only after the fsync that
//     covers its line: nothing acknowledged is lost even if the machine
//     crashes. Concurrent Records share fsyncs (group commit: while one
//     write and fsync run, the next batch gathers), so throughput scales
//     with concurrency, but every audited request waits for one disk flush,
//     typically 0.1–10 ms and more on network or busy disks.
//
// Standard output ("-") is never fsynced: in both modes Record returns once
// the line is written to it (a pipe whose reader stalls stalls Record).
//
// # Rotation
//
// When a line would carry the file past Config.MaxSize (100 MiB), the file
// is fsynced and renamed PATH.1, older ones shift up to PATH.MaxBackups (10)
// and the oldest is deleted; a new PATH is created and the directory
// fsynced. Lines are whole in exactly one file. A file that ends in a
// partial line when opened (a crash mid-write) is rotated away untouched, so
// a partial line is only ever the last line of a file, where Scan skips it.
// One Log writes a given path; nodes sharing a data directory need
// different paths.
//
// Close writes and fsyncs everything recorded before it. A Record after
// Close logs an error and appends its line synchronously, so even a
// misordered shutdown loses nothing.
package audit
