// psclab-kclient: a small Kafka client for pscLab, built on the two client
// libraries that TiCDC's Kafka sink uses: franz-go (its default) and Sarama.
//
//	psclab-kclient probe   --client franz|sarama --bootstrap H:P[,H:P...] [--timeout 10s] [--group psclab-probe]
//	psclab-kclient produce --client franz|sarama --bootstrap ... --topic T --count N [--rate R] [--acks all|1|0]
//	                       [--timeout 60s] [--acked-file PATH] [--create-topic --partitions 3 --replication-factor 3]
//	psclab-kclient consume --client franz|sarama --bootstrap ... --topic T [--timeout 30s] [--acked-file PATH] [--count N]
//	                       [--follow [--drain 30s]]
//
// produce stops sending on SIGTERM or SIGINT, waits for what it sent (within
// --timeout) and prints its final line as usual, counting only what it sent;
// consume --follow reads until SIGTERM/SIGINT, then reads --acked-file and
// goes on until every number in it was received or --drain passed
// (pscLab reconfigure runs both through a rolling restart).
//	psclab-kclient coordinator --bootstrap H:P --group NAME [--timeout 10s]
//	psclab-kclient leaders --bootstrap H:P[,H:P...] --topic T [--timeout 10s]
//
// Results go to stdout as JSON, one object per line; errors go to stderr.
// Beyond the brief's fields: produce's final line adds max_partition_stall_ms,
// consume's adds error (why it could not read; "" when it could).
// Exit status: 0 success, 1 the check failed, 2 usage error.
// Every network operation is bounded; the program always exits by itself
// within --timeout plus a few seconds (a watchdog enforces it).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const usageText = `usage:
  psclab-kclient probe   --client franz|sarama --bootstrap H:P[,H:P...] [--timeout 10s] [--group psclab-probe]
  psclab-kclient produce --client franz|sarama --bootstrap H:P[,...] --topic T --count N [--rate MSGS_PER_SEC]
                         [--acks all|1|0] [--timeout 60s] [--acked-file PATH]
                         [--create-topic [--partitions 3] [--replication-factor 3]]
  psclab-kclient consume --client franz|sarama --bootstrap H:P[,...] --topic T [--timeout 30s]
                         [--acked-file PATH] [--count N] [--follow [--drain 30s]]
                         (--follow: until SIGTERM, then every number of --acked-file, at most --drain more)
  produce and consume --follow end on SIGTERM/SIGINT with their final line
  psclab-kclient coordinator --bootstrap H:P --group NAME [--timeout 10s]
                         (one raw FindCoordinator on a fresh connection, nothing before it)
  psclab-kclient changefeed --bootstrap H:P[,H:P...] --topic NAME [--replication-factor 1]
                         [--partitions 3] [--keep] [--timeout 30s]
                         (TiCDC's changefeed creation with Sarama, one line per step; see changefeed.go)
  psclab-kclient quorum --bootstrap H:P[,H:P...] [--timeout 10s]
                         (the KRaft quorum leader and voters: DescribeQuorum, franz-go)
  psclab-kclient leaders --bootstrap H:P[,H:P...] --topic T [--timeout 10s]
                         (each partition's leader: one Metadata request, franz-go)
common flags: --dial-timeout 10s, --kafka-version 3.7.0 (sarama Config.Version), --verbose (library logs to stderr), --debug (more of them)
`

// watchdogGrace is how long past --timeout the process may live at most.
const watchdogGrace = 5 * time.Second

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// common holds the flags every subcommand has.
type common struct {
	client       string
	bootstrap    []string
	timeout      time.Duration
	dialTimeout  time.Duration
	kafkaVersion string
	verbose      bool
	debug        bool
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) < 1 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(os.Stderr, usageText)
		if len(args) < 1 {
			return 2
		}
		return 0
	}
	var err error
	switch args[0] {
	case "probe":
		err = cmdProbe(args[1:])
	case "produce":
		err = cmdProduce(args[1:])
	case "consume":
		err = cmdConsume(args[1:])
	case "coordinator":
		err = cmdCoordinator(args[1:])
	case "changefeed":
		err = cmdChangefeed(args[1:])
	case "quorum":
		err = cmdQuorum(args[1:])
	case "leaders":
		err = cmdLeaders(args[1:])
	default:
		err = usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "psclab-kclient: %s\n%s", ue.msg, usageText)
		return 2
	case errors.Is(err, errCheckFailed):
		return 1
	default:
		fmt.Fprintf(os.Stderr, "psclab-kclient: %v\n", err)
		return 1
	}
}

// errCheckFailed: the result line was printed and says what failed.
var errCheckFailed = errors.New("check failed")

func newFlagSet(name string, c *common, defTimeout time.Duration) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	bs := fs.String("bootstrap", "", "comma-separated host:port list")
	fs.StringVar(&c.client, "client", "", "franz or sarama")
	fs.DurationVar(&c.timeout, "timeout", defTimeout, "overall time limit")
	fs.DurationVar(&c.dialTimeout, "dial-timeout", 10*time.Second, "TCP dial timeout")
	fs.StringVar(&c.kafkaVersion, "kafka-version", "3.7.0", "Sarama Config.Version")
	fs.BoolVar(&c.verbose, "verbose", false, "library logs to stderr")
	fs.BoolVar(&c.debug, "debug", false, "library debug logs to stderr (implies --verbose)")
	return fs, bs
}

func parseCommon(fs *flag.FlagSet, bs *string, c *common, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if c.debug {
		c.verbose = true
	}
	if c.client != "franz" && c.client != "sarama" {
		return usageError{"--client must be franz or sarama"}
	}
	if c.timeout <= 0 {
		return usageError{"--timeout must be > 0"}
	}
	if c.dialTimeout <= 0 {
		return usageError{"--dial-timeout must be > 0"}
	}
	for _, a := range strings.Split(*bs, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if _, p, err := net.SplitHostPort(a); err != nil || p == "" {
			return usageError{fmt.Sprintf("bad --bootstrap address %q (want host:port)", a)}
		}
		c.bootstrap = append(c.bootstrap, a)
	}
	if len(c.bootstrap) == 0 {
		return usageError{"--bootstrap is required"}
	}
	return nil
}

// startWatchdog makes sure the process ends by itself: at limit it calls
// last (which may print a final line) and exits 1.
func startWatchdog(limit time.Duration, last func()) {
	time.AfterFunc(limit, func() {
		fmt.Fprintf(os.Stderr, "psclab-kclient: watchdog: still running %v after start, exiting\n", limit)
		if last != nil {
			last()
		}
		os.Exit(1)
	})
}

// ---- output ----

var outMu sync.Mutex

func emit(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "psclab-kclient: json: %v\n", err)
		return
	}
	outMu.Lock()
	os.Stdout.Write(append(b, '\n'))
	outMu.Unlock()
}

func msSince(t time.Time) int64 { return time.Since(t).Milliseconds() }

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// ---- probe ----

type brokerLine struct {
	Client    string `json:"client"`
	Bootstrap string `json:"bootstrap"`
	API       string `json:"api"`
	NodeID    int32  `json:"node_id"`
	Host      string `json:"host"`
	Port      int32  `json:"port"`
}

type maxVersions struct {
	Metadata        *int16 `json:"Metadata,omitempty"`
	Produce         *int16 `json:"Produce,omitempty"`
	DescribeCluster *int16 `json:"DescribeCluster,omitempty"`
}

// note keeps an ApiVersions entry's max version when it is one of ours.
func (mv *maxVersions) note(key, max int16) {
	v := max
	switch key {
	case apiKeyMetadata:
		mv.Metadata = &v
	case apiKeyProduce:
		mv.Produce = &v
	case apiKeyDescribeCluster:
		mv.DescribeCluster = &v
	}
}

type requestLine struct {
	Client      string       `json:"client"`
	Bootstrap   string       `json:"bootstrap"`
	Request     string       `json:"request"`
	OK          bool         `json:"ok"`
	MS          int64        `json:"ms"`
	Error       string       `json:"error"`
	MaxVersions *maxVersions `json:"max_versions,omitempty"`
}

type doneLine struct {
	Done bool `json:"done"`
	OK   bool `json:"ok"`
}

// prober is one client library's probe of one bootstrap address; it emits
// the request and broker lines and returns whether every sent request was ok.
type prober func(c *common, bootstrap, group string, deadline time.Time) bool

func cmdProbe(args []string) error {
	var c common
	fs, bs := newFlagSet("probe", &c, 10*time.Second)
	group := fs.String("group", "psclab-probe", "consumer group for FindCoordinator")
	if err := parseCommon(fs, bs, &c, args); err != nil {
		return err
	}
	if *group == "" {
		return usageError{"--group must not be empty"}
	}
	start := time.Now()
	startWatchdog(c.timeout+watchdogGrace, func() { emit(doneLine{Done: true, OK: false}) })
	deadline := start.Add(c.timeout)
	p := probeFranz
	if c.client == "sarama" {
		p = probeSarama
	}
	allOK := true
	for _, b := range c.bootstrap {
		if !p(&c, b, *group, deadline) {
			allOK = false
		}
	}
	emit(doneLine{Done: true, OK: allOK})
	if !allOK {
		return errCheckFailed
	}
	return nil
}

func splitHostPort(addr string) (string, int32) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, -1
	}
	n, _ := strconv.Atoi(p)
	return h, int32(n)
}

// ---- produce ----

type produceOpts struct {
	topic       string
	count       int
	rate        float64
	acks        string
	ackedFile   string
	createTopic bool
	partitions  int
	rf          int
}

type produceResult struct {
	Client       string   `json:"client"`
	Acked        int      `json:"acked"`
	Failed       int      `json:"failed"`
	FirstError   string   `json:"first_error"`
	Dialed       []string `json:"dialed"`
	DialFailures []string `json:"dial_failures"`
	MaxStallMS   int64    `json:"max_stall_ms"`
	MS           int64    `json:"ms"`
	// Beyond the brief: the longest gap between consecutive acks of one
	// partition (max_stall_ms hides a stalled partition while others ack).
	MaxPartitionStallMS int64 `json:"max_partition_stall_ms"`
}

// maxDialFailures bounds the dial_failures list (distinct entries).
const maxDialFailures = 50

// tracker collects what a producer run saw; its methods are safe to call
// from the libraries' goroutines.
type tracker struct {
	mu           sync.Mutex
	start        time.Time
	acked        int
	failed       int
	firstErr     string
	dialed       []string
	dialedSet    map[string]bool
	dialFails    []string
	dialFailSet  map[string]bool
	lastAck      time.Time
	maxStall     time.Duration
	lastAckPart  map[int32]time.Time
	maxPartStall time.Duration
	ackFile      *os.File
	ackFileErr   error
	printed      bool
	client       string
	sent         int // records let through by pace
}

func newTracker(client string) *tracker {
	return &tracker{start: time.Now(), client: client, dialedSet: map[string]bool{}, dialFailSet: map[string]bool{},
		lastAckPart: map[int32]time.Time{}}
}

func (t *tracker) dial(addr string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.dialedSet[addr] {
		t.dialedSet[addr] = true
		t.dialed = append(t.dialed, addr)
	}
	if err != nil {
		s := addr + ": " + err.Error()
		if !t.dialFailSet[s] && len(t.dialFails) < maxDialFailures {
			t.dialFailSet[s] = true
			t.dialFails = append(t.dialFails, s)
		}
	}
}

func (t *tracker) ack(seq int, partition int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if !t.lastAck.IsZero() {
		if d := now.Sub(t.lastAck); d > t.maxStall {
			t.maxStall = d
		}
	}
	t.lastAck = now
	if last, ok := t.lastAckPart[partition]; ok {
		if d := now.Sub(last); d > t.maxPartStall {
			t.maxPartStall = d
		}
	}
	t.lastAckPart[partition] = now
	t.acked++
	if t.ackFile != nil && t.ackFileErr == nil {
		if _, err := t.ackFile.WriteString(strconv.Itoa(seq) + "\n"); err != nil {
			t.ackFileErr = err
			fmt.Fprintf(os.Stderr, "psclab-kclient: writing acked file: %v\n", err)
		}
	}
}

func (t *tracker) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed++
	if t.firstErr == "" && err != nil {
		t.firstErr = err.Error()
	}
}

// setErr records an error that is not a record's (e.g. topic creation).
func (t *tracker) setErr(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.firstErr == "" && err != nil {
		t.firstErr = err.Error()
	}
}

func (t *tracker) done() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.acked + t.failed
}

// finish prints the final line once; count is how many were meant.
// Records never resolved are counted as failed.
func (t *tracker) finish(count int) (ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.printed {
		return t.acked == count
	}
	t.printed = true
	failed := t.failed
	if rest := count - t.acked - t.failed; rest > 0 {
		failed += rest
		if t.firstErr == "" {
			t.firstErr = fmt.Sprintf("%d records not acknowledged before --timeout", rest)
		}
	}
	r := produceResult{
		Client: t.client, Acked: t.acked, Failed: failed, FirstError: t.firstErr,
		Dialed: t.dialed, DialFailures: t.dialFails,
		MaxStallMS: t.maxStall.Milliseconds(), MS: msSince(t.start),
		MaxPartitionStallMS: t.maxPartStall.Milliseconds(),
	}
	if r.Dialed == nil {
		r.Dialed = []string{}
	}
	if r.DialFailures == nil {
		r.DialFailures = []string{}
	}
	if t.ackFile != nil {
		t.ackFile.Sync()
	}
	emit(r)
	return t.acked == count
}

// stopCh is closed on SIGTERM or SIGINT once onStop was called.
var stopCh = make(chan struct{})

// onStop closes stopCh at the first SIGTERM or SIGINT and calls then (may be
// nil) once.
func onStop(then func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		close(stopCh)
		if then != nil {
			then()
		}
	}()
}

func stopRequested() bool {
	select {
	case <-stopCh:
		return true
	default:
		return false
	}
}

// pace is the package pace, and false once a stop was requested; it keeps
// how many records were let through (what finish counts when stopped).
func (t *tracker) pace(start time.Time, i int, rate float64, deadline time.Time) bool {
	if stopRequested() || !pace(start, i, rate, deadline) || stopRequested() {
		return false
	}
	t.mu.Lock()
	t.sent = i + 1
	t.mu.Unlock()
	return true
}

// meant is how many records the run was to resolve: count, or what was sent
// when a stop was requested.
func (t *tracker) meant(count int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if stopRequested() {
		return t.sent
	}
	return count
}

// pacer returns when message i (0-based) may be sent, or false past the deadline.
func pace(start time.Time, i int, rate float64, deadline time.Time) bool {
	if rate > 0 {
		at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		if at.After(deadline) {
			return false
		}
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
	}
	return time.Now().Before(deadline)
}

func cmdProduce(args []string) error {
	var c common
	var o produceOpts
	fs, bs := newFlagSet("produce", &c, 60*time.Second)
	fs.StringVar(&o.topic, "topic", "", "topic")
	fs.IntVar(&o.count, "count", 0, "number of messages")
	fs.Float64Var(&o.rate, "rate", 0, "messages per second (0 = as fast as possible)")
	fs.StringVar(&o.acks, "acks", "all", "all, 1 or 0 (idempotent only with all)")
	fs.StringVar(&o.ackedFile, "acked-file", "", "append each acknowledged sequence number here")
	fs.BoolVar(&o.createTopic, "create-topic", false, "create the topic first")
	fs.IntVar(&o.partitions, "partitions", 3, "partitions for --create-topic")
	fs.IntVar(&o.rf, "replication-factor", 3, "replication factor for --create-topic")
	if err := parseCommon(fs, bs, &c, args); err != nil {
		return err
	}
	if o.topic == "" {
		return usageError{"--topic is required"}
	}
	if o.count <= 0 {
		return usageError{"--count must be > 0"}
	}
	if o.rate < 0 {
		return usageError{"--rate must be >= 0"}
	}
	if o.acks != "all" && o.acks != "1" && o.acks != "0" && o.acks != "-1" {
		return usageError{"--acks must be all, 1 or 0"}
	}
	if o.acks == "-1" {
		o.acks = "all"
	}
	if o.partitions <= 0 || o.rf <= 0 {
		return usageError{"--partitions and --replication-factor must be > 0"}
	}
	t := newTracker(c.client)
	if o.ackedFile != "" {
		f, err := os.OpenFile(o.ackedFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("opening --acked-file: %w", err)
		}
		defer f.Close()
		t.ackFile = f
	}
	startWatchdog(c.timeout+watchdogGrace, func() { t.finish(t.meant(o.count)) })
	onStop(nil)
	deadline := t.start.Add(c.timeout)
	if c.client == "franz" {
		produceFranz(&c, &o, t, deadline)
	} else {
		produceSarama(&c, &o, t, deadline)
	}
	if !t.finish(t.meant(o.count)) {
		return errCheckFailed
	}
	return nil
}

// ---- consume ----

type consumeResult struct {
	Client     string  `json:"client"`
	Received   int     `json:"received"`
	Distinct   int     `json:"distinct"`
	Duplicates int     `json:"duplicates"`
	Lost       int     `json:"lost"`
	LostSample []int64 `json:"lost_sample"`
	MS         int64   `json:"ms"`
	// Beyond the brief: why the consumer could not read at all ("" if it could).
	Error string `json:"error"`
}

// collector counts what a consumer received and knows when to stop.
type collector struct {
	mu       sync.Mutex
	start    time.Time
	client   string
	received int
	seen     map[string]int // value -> times received
	want     map[int64]bool // sequence numbers expected (acked file or 1..count)
	missing  int            // expected ones not yet received
	count    int            // --count (0 = none)
	useFile  bool
	printed  bool
	setupErr string // the consumer could not reach the topic
	doneCh   chan struct{}
	doneOnce sync.Once
}

func (k *collector) add(value []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.received++
	v := string(value)
	k.seen[v]++
	if k.seen[v] == 1 && k.want != nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && k.want[n] {
			k.missing--
		}
	}
	if k.complete() {
		k.doneOnce.Do(func() { close(k.doneCh) })
	}
}

// complete: with --acked-file, every acked number was received; else with
// --count, N messages were received. Called with mu held.
func (k *collector) complete() bool {
	if k.useFile {
		return k.missing == 0
	}
	if k.count > 0 {
		return k.received >= k.count
	}
	return false
}

func (k *collector) finish() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.printed {
		return k.setupErr == ""
	}
	k.printed = true
	var lost []int64
	for n := range k.want {
		if k.seen[strconv.FormatInt(n, 10)] == 0 {
			lost = append(lost, n)
		}
	}
	sort.Slice(lost, func(i, j int) bool { return lost[i] < lost[j] })
	r := consumeResult{
		Client: k.client, Received: k.received, Distinct: len(k.seen),
		Duplicates: k.received - len(k.seen), Lost: len(lost), LostSample: []int64{}, MS: msSince(k.start),
		Error: k.setupErr,
	}
	if len(lost) > 10 {
		r.LostSample = lost[:10]
	} else if lost != nil {
		r.LostSample = lost
	}
	emit(r)
	return len(lost) == 0 && k.setupErr == ""
}

// setError records why the consumer could not read (first one wins).
func (k *collector) setError(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.setupErr == "" && err != nil {
		k.setupErr = err.Error()
	}
}

func (k *collector) got() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.received
}

// follow: the stop of consume --follow. The numbers of path are what must
// be received; done when all were, or drain from now at most.
func (k *collector) follow(path string, drain time.Duration) {
	want, err := readAckedFile(path)
	k.mu.Lock()
	if err != nil {
		if k.setupErr == "" {
			k.setupErr = "reading --acked-file: " + err.Error()
		}
		want = map[int64]bool{}
	}
	k.want, k.useFile, k.missing = want, true, 0
	for n := range want {
		if k.seen[strconv.FormatInt(n, 10)] == 0 {
			k.missing++
		}
	}
	if k.complete() {
		k.doneOnce.Do(func() { close(k.doneCh) })
	}
	k.mu.Unlock()
	time.AfterFunc(drain, func() { k.doneOnce.Do(func() { close(k.doneCh) }) })
}

func readAckedFile(path string) (map[int64]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	want := map[int64]bool{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: not a number: %q", path, line, s)
		}
		want[n] = true
	}
	return want, sc.Err()
}

func cmdConsume(args []string) error {
	var c common
	fs, bs := newFlagSet("consume", &c, 30*time.Second)
	topic := fs.String("topic", "", "topic")
	ackedFile := fs.String("acked-file", "", "sequence numbers that must be received")
	count := fs.Int("count", 0, "stop after N messages")
	follow := fs.Bool("follow", false, "read until SIGTERM, then wait for every number of --acked-file")
	drain := fs.Duration("drain", 30*time.Second, "with --follow: how long after SIGTERM at most")
	if err := parseCommon(fs, bs, &c, args); err != nil {
		return err
	}
	if *topic == "" {
		return usageError{"--topic is required"}
	}
	if *follow && (*ackedFile == "" || *count != 0 || *drain <= 0) {
		return usageError{"--follow needs --acked-file, no --count, and --drain > 0"}
	}
	if *count < 0 {
		return usageError{"--count must be >= 0"}
	}
	k := &collector{start: time.Now(), client: c.client, seen: map[string]int{}, count: *count, doneCh: make(chan struct{})}
	switch {
	case *follow:
		onStop(func() { k.follow(*ackedFile, *drain) })
	case *ackedFile != "":
		want, err := readAckedFile(*ackedFile)
		if err != nil {
			return fmt.Errorf("reading --acked-file: %w", err)
		}
		k.want, k.missing, k.useFile = want, len(want), true
	case *count > 0:
		k.want = map[int64]bool{}
		for i := 1; i <= *count; i++ {
			k.want[int64(i)] = true
		}
		k.missing = *count
	}
	startWatchdog(c.timeout+watchdogGrace, func() { k.finish() })
	deadline := k.start.Add(c.timeout)
	k.mu.Lock()
	if k.complete() { // empty acked file: nothing to wait for
		k.doneOnce.Do(func() { close(k.doneCh) })
	}
	k.mu.Unlock()
	if c.client == "franz" {
		consumeFranz(&c, *topic, k, deadline)
	} else {
		consumeSarama(&c, *topic, k, deadline)
	}
	if !k.finish() {
		return errCheckFailed
	}
	return nil
}
