package audit

import (
	"context"
	"log/slog"
	"time"

	"github.com/opensts/opensts"
)

// Append writes one event to the audit trail at path, as a Log would (same
// record, same secret scrubbing), and fsyncs it: for commands that change
// the store without a server, such as opensts keys rotate, whose action
// belongs in the same trail. It opens the file for appending, so a server
// writing the same trail meanwhile loses nothing (each record is one
// write), and never rotates it. A path of "-" writes to standard output.
func Append(ctx context.Context, path string, e opensts.Event) error {
	l := &Log{path: path, log: slog.New(slog.DiscardHandler), now: time.Now}
	line := l.encode(ctx, nil, e)
	if path == "-" {
		_, err := stdout.Write(line)
		return err
	}
	return appendSync(path, line)
}
