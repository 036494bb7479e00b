package main

// oneRequest: the frame of the subcommands that send one request with
// franz-go and print one JSON line (quorum, leaders).  It starts the
// watchdog and the clock, makes the client with the options every franz-go
// client here has (franzBaseOpts: --bootstrap, --dial-timeout, the client
// id, the --verbose logger) and a context of --timeout for the request;
// fail and done print the line.  The line is a
// map, so encoding/json sorts its keys: the order on stdout does not depend
// on the order they are set in.

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

type oneRequest struct {
	cl     *kgo.Client
	ctx    context.Context
	cancel context.CancelFunc
	t0     time.Time
	line   map[string]any
}

// startOneRequest: line holds the fields known before the request (kind,
// request, ...).  When the client cannot be made, the line is printed and
// the error is errCheckFailed; else the caller closes the request.
func startOneRequest(c *common, line map[string]any) (*oneRequest, error) {
	startWatchdog(c.timeout+watchdogGrace, nil)
	r := &oneRequest{t0: time.Now(), line: line}
	cl, err := kgo.NewClient(franzBaseOpts(c, c.bootstrap)...)
	if err != nil {
		return nil, r.fail(err)
	}
	r.cl = cl
	r.ctx, r.cancel = context.WithTimeout(context.Background(), c.timeout)
	return r, nil
}

func (r *oneRequest) close() {
	r.cancel()
	r.cl.Close()
}

// fail prints the line with ok false and err; it returns errCheckFailed.
func (r *oneRequest) fail(err error) error {
	r.line["ok"] = false
	r.line["error"] = errString(err)
	r.line["ms"] = msSince(r.t0)
	emit(r.line)
	return errCheckFailed
}

// done prints the line with ok true and the answer's fields.
func (r *oneRequest) done(answer map[string]any) error {
	r.line["ok"] = true
	r.line["error"] = ""
	for k, v := range answer {
		r.line[k] = v
	}
	r.line["ms"] = msSince(r.t0)
	emit(r.line)
	return nil
}
