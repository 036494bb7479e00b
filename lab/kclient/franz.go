package main

// The franz-go side (github.com/twmb/franz-go), TiCDC's default Kafka client.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const (
	apiKeyProduce         = 0
	apiKeyMetadata        = 3
	apiKeyDescribeCluster = 60
)

func franzBaseOpts(c *common, seeds []string) []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(seeds...),
		kgo.DialTimeout(c.dialTimeout),
		kgo.ClientID("psclab-kclient"),
		kgo.SoftwareNameAndVersion("psclab-kclient", "0.1.0"),
	}
	if c.verbose {
		level := kgo.LogLevelInfo
		if c.debug {
			level = kgo.LogLevelDebug
		}
		opts = append(opts, kgo.WithLogger(kgo.BasicLogger(os.Stderr, level, func() string {
			return "[franz] " + time.Now().Format("15:04:05.000") + " "
		})))
	}
	return opts
}

// kerrOf turns a Kafka error code (and optional message) into an error.
func kerrOf(code int16, msg *string) error {
	err := kerr.ErrorForCode(code)
	if err == nil {
		return nil
	}
	if msg != nil && *msg != "" {
		return fmt.Errorf("%w: %s", err, *msg)
	}
	return err
}

func probeFranz(c *common, bootstrap, group string, deadline time.Time) bool {
	cl, err := kgo.NewClient(franzBaseOpts(c, []string{bootstrap})...)
	if err != nil {
		emit(requestLine{Client: "franz", Bootstrap: bootstrap, Request: "ApiVersions", Error: err.Error()})
		return false
	}
	defer cl.Close()
	seeds := cl.SeedBrokers()
	if len(seeds) != 1 {
		emit(requestLine{Client: "franz", Bootstrap: bootstrap, Request: "ApiVersions", Error: "no seed broker"})
		return false
	}
	seed := seeds[0]
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	allOK := true
	line := func(req string, t0 time.Time, err error, mv *maxVersions) {
		if err != nil {
			allOK = false
		}
		emit(requestLine{Client: "franz", Bootstrap: bootstrap, Request: req, OK: err == nil,
			MS: msSince(t0), Error: errString(err), MaxVersions: mv})
	}
	broker := func(api string, id int32, host string, port int32) {
		emit(brokerLine{Client: "franz", Bootstrap: bootstrap, API: api, NodeID: id, Host: host, Port: port})
	}

	// ApiVersions
	t0 := time.Now()
	av := kmsg.NewPtrApiVersionsRequest()
	av.ClientSoftwareName, av.ClientSoftwareVersion = "psclab-kclient", "0.1.0"
	var mv *maxVersions
	resp, err := seed.Request(ctx, av)
	if err == nil {
		r := resp.(*kmsg.ApiVersionsResponse)
		err = kerrOf(r.ErrorCode, nil)
		mv = &maxVersions{}
		for _, k := range r.ApiKeys {
			mv.note(k.ApiKey, k.MaxVersion)
		}
	}
	line("ApiVersions", t0, err, mv)

	// Metadata (brokers only: an empty, non-null topic list)
	t0 = time.Now()
	md := kmsg.NewPtrMetadataRequest()
	md.Topics = []kmsg.MetadataRequestTopic{}
	resp, err = seed.Request(ctx, md)
	if err == nil {
		r := resp.(*kmsg.MetadataResponse)
		line("Metadata", t0, nil, nil)
		for _, b := range r.Brokers {
			broker("Metadata", b.NodeID, b.Host, b.Port)
		}
	} else {
		line("Metadata", t0, err, nil)
	}

	// DescribeCluster (API key 60), to the same bootstrap broker
	t0 = time.Now()
	dc := kmsg.NewPtrDescribeClusterRequest()
	resp, err = seed.Request(ctx, dc)
	if err == nil {
		r := resp.(*kmsg.DescribeClusterResponse)
		err = kerrOf(r.ErrorCode, r.ErrorMessage)
		line("DescribeCluster", t0, err, nil)
		for _, b := range r.Brokers {
			broker("DescribeCluster", b.NodeID, b.Host, b.Port)
		}
	} else {
		line("DescribeCluster", t0, err, nil)
	}

	// FindCoordinator (group); retried while the coordinator is not yet
	// available (a fresh cluster creates __consumer_offsets on demand).
	t0 = time.Now()
	type coord struct {
		id   int32
		host string
		port int32
	}
	var coords []coord
	for {
		coords = coords[:0]
		fc := kmsg.NewPtrFindCoordinatorRequest()
		fc.CoordinatorKey = group
		fc.CoordinatorKeys = []string{group}
		fc.CoordinatorType = 0
		resp, err = seed.Request(ctx, fc)
		if err == nil {
			r := resp.(*kmsg.FindCoordinatorResponse)
			if len(r.Coordinators) > 0 || r.Version >= 4 {
				for _, cr := range r.Coordinators {
					if e := kerrOf(cr.ErrorCode, cr.ErrorMessage); e != nil {
						err = e
						continue
					}
					coords = append(coords, coord{cr.NodeID, cr.Host, cr.Port})
				}
			} else {
				err = kerrOf(r.ErrorCode, r.ErrorMessage)
				if err == nil {
					coords = append(coords, coord{r.NodeID, r.Host, r.Port})
				}
			}
		}
		if err == nil || !kerr.IsRetriable(err) || time.Until(deadline) < 500*time.Millisecond {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	line("FindCoordinator", t0, err, nil)
	for _, cr := range coords {
		broker("FindCoordinator", cr.id, cr.host, cr.port)
	}
	return allOK
}

// dialHook records every broker connection attempt kgo makes.
type dialHook struct{ t *tracker }

func (h dialHook) OnBrokerConnect(meta kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	h.t.dial(net.JoinHostPort(meta.Host, strconv.Itoa(int(meta.Port))), err)
}

var _ kgo.HookBrokerConnect = dialHook{}

func produceFranz(c *common, o *produceOpts, t *tracker, deadline time.Time) {
	opts := franzBaseOpts(c, c.bootstrap)
	opts = append(opts,
		kgo.WithHooks(dialHook{t}),
		kgo.DefaultProduceTopic(o.topic),
		kgo.RecordDeliveryTimeout(time.Until(deadline)),
	)
	switch o.acks {
	case "all":
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks())) // idempotent (kgo's default)
	case "1":
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite())
	case "0":
		opts = append(opts, kgo.RequiredAcks(kgo.NoAck()), kgo.DisableIdempotentWrite())
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.setErr(err)
		return
	}
	closed := false
	closeClient := func() {
		if closed {
			return
		}
		closed = true
		ch := make(chan struct{})
		go func() { cl.Close(); close(ch) }()
		select {
		case <-ch:
		case <-time.After(2 * time.Second):
		}
	}
	defer closeClient()
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()

	if o.createTopic {
		if err := createTopicFranz(ctx, cl, o); err != nil {
			t.setErr(fmt.Errorf("create topic: %w", err))
			return
		}
	}

	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < o.count; i++ {
		if !t.pace(start, i, o.rate, deadline) {
			break
		}
		seq := i + 1
		s := strconv.Itoa(seq)
		wg.Add(1)
		cl.Produce(ctx, &kgo.Record{Key: []byte(s), Value: []byte(s)}, func(r *kgo.Record, err error) {
			defer wg.Done()
			if err != nil {
				t.fail(err)
			} else {
				t.ack(seq, r.Partition)
			}
		})
	}
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	select {
	case <-all:
	case <-time.After(time.Until(deadline)):
	}
	// Fail whatever is still buffered, and give the callbacks a moment.
	closeClient()
	select {
	case <-all:
	case <-time.After(2 * time.Second):
	}
}

func createTopicFranz(ctx context.Context, cl *kgo.Client, o *produceOpts) error {
	adm := kadm.NewClient(cl)
	created := true
	resps, err := adm.CreateTopics(ctx, int32(o.partitions), int16(o.rf), nil, o.topic)
	if err != nil {
		return err
	}
	if r, ok := resps[o.topic]; ok && r.Err != nil {
		if !errors.Is(r.Err, kerr.TopicAlreadyExists) {
			if r.ErrMessage != "" {
				return fmt.Errorf("%w: %s", r.Err, r.ErrMessage)
			}
			return r.Err
		}
		created = false
	}
	// Wait until every partition has a leader. A direct Metadata request:
	// kadm.Metadata answers from kgo's cache (up to MetadataMinAge, 5s, old).
	var last error
	for {
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(o.topic)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, cl)
		if err == nil {
			switch {
			case len(resp.Topics) != 1:
				err = fmt.Errorf("%d topics in metadata", len(resp.Topics))
			case resp.Topics[0].ErrorCode != 0:
				err = kerrOf(resp.Topics[0].ErrorCode, nil)
			case len(resp.Topics[0].Partitions) == 0 || (created && len(resp.Topics[0].Partitions) != o.partitions):
				err = fmt.Errorf("%d partitions in metadata", len(resp.Topics[0].Partitions))
			default:
				for _, p := range resp.Topics[0].Partitions {
					if p.ErrorCode != 0 || p.Leader < 0 {
						err = fmt.Errorf("partition %d has no leader (%v)", p.Partition, kerrOf(p.ErrorCode, nil))
						break
					}
				}
			}
			if err == nil {
				return nil
			}
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for partition leaders: %v (last: %v)", ctx.Err(), last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func consumeFranz(c *common, topic string, k *collector, deadline time.Time) {
	opts := franzBaseOpts(c, c.bootstrap)
	opts = append(opts,
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(500*time.Millisecond),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		k.setError(err)
		return
	}
	defer func() {
		ch := make(chan struct{})
		go func() { cl.Close(); close(ch) }()
		select {
		case <-ch:
		case <-time.After(2 * time.Second):
		}
	}()
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	go func() {
		select {
		case <-k.doneCh:
			cancel()
		case <-ctx.Done():
		}
	}()
	reported := map[string]bool{}
	for ctx.Err() == nil {
		fetches := cl.PollFetches(ctx)
		for _, fe := range fetches.Errors() {
			if errors.Is(fe.Err, context.Canceled) || errors.Is(fe.Err, context.DeadlineExceeded) {
				continue
			}
			if s := fe.Err.Error(); !reported[s] && len(reported) < 20 {
				reported[s] = true
				fmt.Fprintf(os.Stderr, "psclab-kclient: fetch %s[%d]: %v\n", fe.Topic, fe.Partition, fe.Err)
			}
		}
		fetches.EachRecord(func(r *kgo.Record) { k.add(r.Value) })
	}
	if k.got() == 0 {
		// kgo retries silently: say whether the topic was reachable at all.
		mctx, mcancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer mcancel()
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(mctx, cl)
		switch {
		case err != nil:
			k.setError(fmt.Errorf("metadata: %w", err))
		case len(resp.Topics) == 1 && resp.Topics[0].ErrorCode != 0:
			k.setError(fmt.Errorf("topic %s: %w", topic, kerrOf(resp.Topics[0].ErrorCode, nil)))
		}
	}
}
