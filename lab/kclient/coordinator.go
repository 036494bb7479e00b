package main

// coordinator: one FindCoordinator request, alone, on a fresh TCP
// connection to exactly one address -- no ApiVersions, no Metadata first.
// kafka-proxy opens a dynamic listener for an unmapped broker when a
// response first names it; a FindCoordinator that names broker 5 before any
// Metadata reaches a fresh kafka-proxy gives broker 5 the first dynamic
// port there, which is how two kafka-proxies come to disagree (kafka-proxy
// issue #174, the seed's warning).  The request is serialized with kmsg,
// franz-go's protocol package; no client library logic is involved.

import (
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// FindCoordinator v3: flexible, a single key; every kafka-proxy tag here
// (v0..v6) and Kafka 3.7 and 4.x know it.
const findCoordinatorVersion = 3

func cmdCoordinator(args []string) error {
	fs := flag.NewFlagSet("coordinator", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("bootstrap", "", "one host:port")
	group := fs.String("group", "", "the consumer group whose coordinator is asked for")
	timeout := fs.Duration("timeout", 10*time.Second, "overall time limit")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *addr == "" || *group == "" || fs.NArg() > 0 {
		return usageError{"coordinator needs --bootstrap HOST:PORT and --group NAME"}
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return usageError{fmt.Sprintf("bad --bootstrap address %q (want host:port)", *addr)}
	}
	startWatchdog(*timeout+watchdogGrace, func() {})
	t0 := time.Now()
	line := map[string]any{"bootstrap": *addr, "request": "FindCoordinator", "group": *group}
	node, host, port, err := findCoordinator(*addr, *group, time.Now().Add(*timeout))
	line["ms"] = msSince(t0)
	if err != nil {
		line["ok"] = false
		line["error"] = err.Error()
		emit(line)
		return errCheckFailed
	}
	line["ok"] = true
	line["error"] = ""
	line["node_id"] = node
	line["host"] = host
	line["port"] = port
	emit(line)
	return nil
}

func findCoordinator(addr, group string, deadline time.Time) (int32, string, int32, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Until(deadline))
	if err != nil {
		return 0, "", 0, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return 0, "", 0, err
	}
	req := kmsg.NewPtrFindCoordinatorRequest()
	req.SetVersion(findCoordinatorVersion)
	req.CoordinatorKey = group
	req.CoordinatorType = 0 // a group
	const corr = 1
	f := kmsg.NewRequestFormatter(kmsg.FormatterClientID("psclab-kclient"))
	if _, err := conn.Write(f.AppendRequest(nil, req, corr)); err != nil {
		return 0, "", 0, err
	}
	var size [4]byte
	if _, err := io.ReadFull(conn, size[:]); err != nil {
		return 0, "", 0, fmt.Errorf("reading the response size: %w", err)
	}
	n := binary.BigEndian.Uint32(size[:])
	if n < 5 || n > 1<<20 {
		return 0, "", 0, fmt.Errorf("a response of %d bytes", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(conn, body); err != nil {
		return 0, "", 0, fmt.Errorf("reading the response: %w", err)
	}
	if got := binary.BigEndian.Uint32(body[:4]); got != corr {
		return 0, "", 0, fmt.Errorf("correlation id %d, want %d", got, corr)
	}
	// a flexible response header: correlation id, then tagged fields
	resp := req.ResponseKind().(*kmsg.FindCoordinatorResponse)
	resp.SetVersion(findCoordinatorVersion)
	if err := resp.ReadFrom(body[5:]); err != nil {
		return 0, "", 0, fmt.Errorf("decoding FindCoordinator v%d: %w", findCoordinatorVersion, err)
	}
	if err := kerrOf(resp.ErrorCode, resp.ErrorMessage); err != nil {
		return 0, "", 0, err
	}
	return resp.NodeID, resp.Host, resp.Port, nil
}
