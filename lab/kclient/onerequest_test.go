package main

// The frame of quorum and leaders without a broker: a refused dial on
// loopback (127.0.0.1:1) must give the line the C side (src/verify/kclient.c)
// and tests/reliability/broker_kill.sh parse, byte for byte but for ms, and
// exit status 1; done's line is checked on its own.  --timeout is long so
// that the watchdog (--timeout + 5 s, os.Exit) cannot fire in the test
// process: the refused dial fails at once.

import (
	"io"
	"os"
	"regexp"
	"testing"
)

// capture runs f with os.Stdout on a pipe and returns what was written.
func capture(t *testing.T, f func()) string {
	t.Helper()
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatalf("pipe: %v", err)
	}
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(rd)
		got <- string(b)
	}()
	saved := os.Stdout
	os.Stdout = wr
	f()
	os.Stdout = saved
	wr.Close()
	return <-got
}

var msField = regexp.MustCompile(`"ms":[0-9]+`)

func TestOneRequestRefused(t *testing.T) {
	const dialErr = `"error":"unable to dial: dial tcp 127.0.0.1:1: connect: connection refused"`
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"quorum", "--bootstrap", "127.0.0.1:1", "--timeout", "20s", "--dial-timeout", "2s"},
			`{` + dialErr + `,"kind":"quorum","ms":N,"ok":false,"request":"DescribeQuorum"}` + "\n"},
		{[]string{"leaders", "--bootstrap", "127.0.0.1:1", "--topic", "t1", "--timeout", "20s", "--dial-timeout", "2s"},
			`{` + dialErr + `,"kind":"leaders","ms":N,"ok":false,"request":"Metadata","topic":"t1"}` + "\n"},
	}
	for _, tc := range cases {
		var rc int
		out := capture(t, func() { rc = run(tc.args) })
		if rc != 1 {
			t.Errorf("%s: exit status %d, want 1", tc.args[0], rc)
		}
		if !msField.MatchString(out) {
			t.Errorf("%s: no ms in %q", tc.args[0], out)
		}
		if got := msField.ReplaceAllString(out, `"ms":N`); got != tc.want {
			t.Errorf("%s: line\n%q\nwant\n%q", tc.args[0], got, tc.want)
		}
	}
}

func TestOneRequestDone(t *testing.T) {
	r := &oneRequest{line: map[string]any{"kind": "leaders", "request": "Metadata", "topic": "t1"}}
	var err error
	out := capture(t, func() { err = r.done(map[string]any{"leaders": map[string]int32{"0": 2, "1": 3}}) })
	if err != nil {
		t.Errorf("done: %v, want nil", err)
	}
	want := `{"error":"","kind":"leaders","leaders":{"0":2,"1":3},"ms":N,"ok":true,"request":"Metadata","topic":"t1"}` + "\n"
	if got := msField.ReplaceAllString(out, `"ms":N`); got != want {
		t.Errorf("line\n%q\nwant\n%q", got, want)
	}
}
