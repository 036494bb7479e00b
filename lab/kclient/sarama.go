package main

// The Sarama side (github.com/IBM/sarama), TiCDC's older, optional Kafka client.

import (
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

func saramaConfig(c *common) (*sarama.Config, error) {
	v, err := sarama.ParseKafkaVersion(c.kafkaVersion)
	if err != nil {
		return nil, usageError{fmt.Sprintf("--kafka-version: %v", err)}
	}
	if c.verbose {
		sarama.Logger = log.New(os.Stderr, "[sarama] ", log.Ltime|log.Lmicroseconds)
	}
	if c.debug {
		sarama.DebugLogger = log.New(os.Stderr, "[sarama-debug] ", log.Ltime|log.Lmicroseconds)
	}
	conf := sarama.NewConfig()
	conf.ClientID = "psclab-kclient"
	conf.Version = v
	conf.Net.DialTimeout = c.dialTimeout
	rw := min(10*time.Second, c.timeout)
	conf.Net.ReadTimeout = rw
	conf.Net.WriteTimeout = rw
	conf.Metadata.Timeout = c.timeout
	// Like kgo's default: a metadata request must not create topics (the
	// brokers run with auto.create.topics.enable=true).
	conf.Metadata.AllowAutoTopicCreation = false
	return conf, nil
}

// recDialer is used as Sarama's Net.Proxy.Dialer: Sarama calls its Dial for
// every broker connection (config.getDialer), so it sees each address dialed.
type recDialer struct {
	t *tracker
	d net.Dialer
}

func (r *recDialer) Dial(network, addr string) (net.Conn, error) {
	conn, err := r.d.Dial(network, addr)
	r.t.dial(addr, err)
	return conn, err
}

func saramaAddr(b *sarama.Broker) (string, int32) { return splitHostPort(b.Addr()) }

func probeSarama(c *common, bootstrap, group string, deadline time.Time) bool {
	allOK := true
	line := func(req string, t0 time.Time, err error, mv *maxVersions) {
		if err != nil {
			allOK = false
		}
		emit(requestLine{Client: "sarama", Bootstrap: bootstrap, Request: req, OK: err == nil,
			MS: msSince(t0), Error: errString(err), MaxVersions: mv})
	}
	broker := func(api string, id int32, host string, port int32) {
		emit(brokerLine{Client: "sarama", Bootstrap: bootstrap, API: api, NodeID: id, Host: host, Port: port})
	}
	conf, err := saramaConfig(c)
	if err != nil {
		line("ApiVersions", time.Now(), err, nil)
		return false
	}
	if rem := time.Until(deadline); rem < conf.Net.ReadTimeout {
		conf.Net.ReadTimeout, conf.Net.WriteTimeout = max(rem, 100*time.Millisecond), max(rem, 100*time.Millisecond)
	}
	t0 := time.Now()
	connFailed := func(err error) bool {
		line("ApiVersions", t0, err, nil)
		for _, r := range []string{"Metadata", "DescribeCluster", "FindCoordinator"} {
			line(r, time.Now(), fmt.Errorf("not sent: %w", err), nil)
		}
		return false
	}
	b := sarama.NewBroker(bootstrap)
	if err := b.Open(conf); err != nil {
		return connFailed(err)
	}
	defer b.Close()
	if ok, err := b.Connected(); !ok {
		if err == nil {
			err = errors.New("not connected")
		}
		return connFailed(err)
	}

	// ApiVersions
	var mv *maxVersions
	av, err := b.ApiVersions(&sarama.ApiVersionsRequest{Version: 3,
		ClientSoftwareName: "psclab-kclient", ClientSoftwareVersion: "0.1.0"})
	if err == nil {
		if av.ErrorCode != 0 {
			err = sarama.KError(av.ErrorCode)
		}
		mv = &maxVersions{}
		for _, k := range av.ApiKeys {
			mv.note(k.ApiKey, k.MaxVersion)
		}
	}
	line("ApiVersions", t0, err, mv)

	// Metadata
	t0 = time.Now()
	md, err := b.GetMetadata(sarama.NewMetadataRequest(conf.Version, nil))
	line("Metadata", t0, err, nil)
	if err == nil {
		for _, mb := range md.Brokers {
			h, p := saramaAddr(mb)
			broker("Metadata", mb.ID(), h, p)
		}
	}

	// DescribeCluster: Sarama v1.61.1 has DescribeClusterRequest (API 60)
	// and Broker.DescribeCluster.
	t0 = time.Now()
	dc, err := b.DescribeCluster(sarama.NewDescribeClusterRequest(conf.Version))
	if err == nil && !errors.Is(dc.Err, sarama.ErrNoError) {
		err = dc.Err
		if dc.ErrorMessage != nil && *dc.ErrorMessage != "" {
			err = fmt.Errorf("%w: %s", dc.Err, *dc.ErrorMessage)
		}
	}
	line("DescribeCluster", t0, err, nil)
	if dc != nil && err == nil {
		for _, db := range dc.Brokers {
			broker("DescribeCluster", db.BrokerID, db.Host, db.Port)
		}
	}

	// FindCoordinator (group), retried while the coordinator is not available
	t0 = time.Now()
	var fc *sarama.FindCoordinatorResponse
	for {
		fc, err = b.FindCoordinator(&sarama.FindCoordinatorRequest{Version: 3,
			CoordinatorKey: group, CoordinatorType: sarama.CoordinatorGroup})
		if err == nil && !errors.Is(fc.Err, sarama.ErrNoError) {
			err = fc.Err
		}
		retriable := errors.Is(err, sarama.ErrConsumerCoordinatorNotAvailable) || errors.Is(err, sarama.ErrOffsetsLoadInProgress)
		if err == nil || !retriable || time.Until(deadline) < 500*time.Millisecond {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	line("FindCoordinator", t0, err, nil)
	if err == nil && fc.Coordinator != nil {
		h, p := saramaAddr(fc.Coordinator)
		broker("FindCoordinator", fc.Coordinator.ID(), h, p)
	}
	return allOK
}

// newSaramaClient creates a client, giving up at the deadline (Sarama's
// NewClient blocks while it fetches metadata).
func newSaramaClient(addrs []string, conf *sarama.Config, deadline time.Time) (sarama.Client, error) {
	type res struct {
		cl  sarama.Client
		err error
	}
	ch := make(chan res, 1)
	go func() {
		cl, err := sarama.NewClient(addrs, conf)
		ch <- res{cl, err}
	}()
	select {
	case r := <-ch:
		return r.cl, r.err
	case <-time.After(time.Until(deadline)):
		go func() { // close it if it ever comes up
			if r := <-ch; r.cl != nil {
				r.cl.Close()
			}
		}()
		return nil, errors.New("timed out creating the Sarama client")
	}
}

func closeBounded(f func() error) {
	ch := make(chan struct{})
	go func() { f(); close(ch) }()
	select {
	case <-ch:
	case <-time.After(2 * time.Second):
	}
}

func produceSarama(c *common, o *produceOpts, t *tracker, deadline time.Time) {
	conf, err := saramaConfig(c)
	if err != nil {
		t.setErr(err)
		return
	}
	conf.Net.Proxy.Enable = true
	conf.Net.Proxy.Dialer = &recDialer{t: t, d: net.Dialer{Timeout: c.dialTimeout, KeepAlive: 30 * time.Second}}
	conf.Producer.Return.Successes = true
	conf.Producer.Return.Errors = true
	conf.Producer.Partitioner = sarama.NewHashPartitioner
	switch o.acks {
	case "all":
		conf.Producer.RequiredAcks = sarama.WaitForAll
		conf.Producer.Idempotent = true
		conf.Net.MaxOpenRequests = 1
	case "1":
		conf.Producer.RequiredAcks = sarama.WaitForLocal
	case "0":
		conf.Producer.RequiredAcks = sarama.NoResponse
	}
	if conf.Producer.Idempotent && !conf.Version.IsAtLeast(sarama.V0_11_0_0) {
		t.setErr(errors.New("idempotent producer needs --kafka-version >= 0.11.0"))
		return
	}
	cl, err := newSaramaClient(c.bootstrap, conf, deadline)
	if err != nil {
		t.setErr(err)
		return
	}
	defer closeBounded(cl.Close)

	if o.createTopic {
		if err := createTopicSarama(cl, o, deadline); err != nil {
			t.setErr(fmt.Errorf("create topic: %w", err))
			return
		}
	}

	p, err := sarama.NewAsyncProducerFromClient(cl)
	if err != nil {
		t.setErr(err)
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for m := range p.Successes() {
			t.ack(m.Metadata.(int), m.Partition)
		}
	}()
	go func() {
		defer wg.Done()
		for e := range p.Errors() {
			t.fail(e.Err)
		}
	}()
	start := time.Now()
	sent := 0
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
send:
	for i := 0; i < o.count; i++ {
		if !t.pace(start, i, o.rate, deadline) {
			break
		}
		seq := i + 1
		s := strconv.Itoa(seq)
		msg := &sarama.ProducerMessage{Topic: o.topic, Key: sarama.StringEncoder(s), Value: sarama.StringEncoder(s), Metadata: seq}
		select {
		case p.Input() <- msg:
			sent++
		case <-timer.C:
			break send
		}
	}
	for t.done() < sent && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	closeBounded(func() error { p.AsyncClose(); return nil })
	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(2 * time.Second):
	}
}

func createTopicSarama(cl sarama.Client, o *produceOpts, deadline time.Time) error {
	adm, err := sarama.NewClusterAdminFromClient(cl)
	if err != nil {
		return err
	}
	// Not adm.Close(): it would close the shared client.
	created := true
	errc := make(chan error, 1)
	go func() {
		errc <- adm.CreateTopic(o.topic, &sarama.TopicDetail{NumPartitions: int32(o.partitions), ReplicationFactor: int16(o.rf)}, false)
	}()
	select {
	case err = <-errc:
	case <-time.After(time.Until(deadline)):
		return errors.New("timed out")
	}
	if err != nil {
		if !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return err
		}
		created = false
	}
	var last error
	for time.Now().Before(deadline) {
		mds, err := adm.DescribeTopics([]string{o.topic})
		if err == nil {
			switch {
			case len(mds) != 1:
				err = fmt.Errorf("%d topics in metadata", len(mds))
			case !errors.Is(mds[0].Err, sarama.ErrNoError):
				err = mds[0].Err
			case len(mds[0].Partitions) == 0 || (created && len(mds[0].Partitions) != o.partitions):
				err = fmt.Errorf("%d partitions in metadata", len(mds[0].Partitions))
			default:
				for _, p := range mds[0].Partitions {
					if !errors.Is(p.Err, sarama.ErrNoError) || p.Leader < 0 {
						err = fmt.Errorf("partition %d has no leader (%v)", p.ID, p.Err)
						break
					}
				}
			}
			if err == nil {
				// The producer's own metadata must see the topic too.
				_ = cl.RefreshMetadata(o.topic)
				return nil
			}
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("waiting for partition leaders: timed out (last: %v)", last)
}

func consumeSarama(c *common, topic string, k *collector, deadline time.Time) {
	conf, err := saramaConfig(c)
	if err != nil {
		k.setError(err)
		return
	}
	conf.Consumer.Return.Errors = true
	conf.Consumer.MaxWaitTime = 500 * time.Millisecond
	cl, err := newSaramaClient(c.bootstrap, conf, deadline)
	if err != nil {
		k.setError(err)
		return
	}
	defer closeBounded(cl.Close)
	consumer, err := sarama.NewConsumerFromClient(cl)
	if err != nil {
		k.setError(err)
		return
	}
	defer closeBounded(consumer.Close)

	var parts []int32
	for {
		parts, err = cl.Partitions(topic)
		if err == nil && len(parts) > 0 {
			break
		}
		// Partitions refreshes metadata itself (with retries, ~1s).
		if time.Until(deadline) < 1500*time.Millisecond {
			if err == nil {
				err = errors.New("no partitions")
			}
			k.setError(fmt.Errorf("partitions of %s: %w", topic, err))
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	var reportMu sync.Mutex
	reported := map[string]bool{}
	report := func(p int32, err error) {
		reportMu.Lock()
		defer reportMu.Unlock()
		if s := err.Error(); !reported[s] && len(reported) < 20 {
			reported[s] = true
			fmt.Fprintf(os.Stderr, "psclab-kclient: consume %s[%d]: %v\n", topic, p, err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, p := range parts {
		// ConsumePartition may retry leader lookups; bound it by the deadline.
		type res struct {
			pc  sarama.PartitionConsumer
			err error
		}
		ch := make(chan res, 1)
		go func() {
			pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
			ch <- res{pc, err}
		}()
		var r res
		select {
		case r = <-ch:
		case <-time.After(time.Until(deadline)):
			r.err = errors.New("timed out starting the partition consumer")
		}
		if r.err != nil {
			report(p, r.err)
			k.setError(fmt.Errorf("partition %d: %w", p, r.err))
			continue
		}
		wg.Add(1)
		go func(p int32, pc sarama.PartitionConsumer) {
			defer wg.Done()
			errs := pc.Errors()
			for {
				select {
				case m, ok := <-pc.Messages():
					if !ok {
						return
					}
					k.add(m.Value)
				case e, ok := <-errs:
					if !ok {
						errs = nil
						continue
					}
					report(p, e.Err)
				case <-stop:
					return
				}
			}
		}(p, r.pc)
	}
	select {
	case <-k.doneCh:
	case <-time.After(time.Until(deadline)):
	}
	close(stop)
	wg.Wait()
}
