package main

// leaders: each partition's leader of one topic, from one Metadata request
// (franz-go) to a bootstrap address.  What kafka-topics.sh --describe says,
// without a JVM's start (3-20 s on a loaded lab machine): the reliability
// test tests/reliability/broker_kill.sh reads the leader it kills with it.

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func cmdLeaders(args []string) error {
	var c common
	fs, bs := newFlagSet("leaders", &c, 10*time.Second)
	topicName := fs.String("topic", "", "topic")
	c.client = "franz"
	if err := parseCommon(fs, bs, &c, args); err != nil {
		return err
	}
	if *topicName == "" {
		return usageError{"--topic is required"}
	}
	startWatchdog(c.timeout+watchdogGrace, nil)
	t0 := time.Now()
	line := map[string]any{"kind": "leaders", "request": "Metadata", "topic": *topicName}
	fail := func(err error) error {
		line["ok"] = false
		line["error"] = errString(err)
		line["ms"] = msSince(t0)
		emit(line)
		return errCheckFailed
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.bootstrap...), kgo.DialTimeout(c.dialTimeout))
	if err != nil {
		return fail(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(*topicName)
	req.Topics = append(req.Topics, rt)
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fail(err)
	}
	if len(resp.Topics) != 1 {
		return fail(errors.New("Metadata answered no topic"))
	}
	t := resp.Topics[0]
	if err := kerrOf(t.ErrorCode, nil); err != nil {
		return fail(err)
	}
	sort.Slice(t.Partitions, func(i, j int) bool { return t.Partitions[i].Partition < t.Partitions[j].Partition })
	leaders := map[string]int32{}
	for _, p := range t.Partitions {
		leaders[strconv.Itoa(int(p.Partition))] = p.Leader
	}
	line["ok"] = true
	line["error"] = ""
	line["leaders"] = leaders
	line["ms"] = msSince(t0)
	emit(line)
	return nil
}
