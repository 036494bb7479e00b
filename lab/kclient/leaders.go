package main

// leaders: each partition's leader of one topic, from one Metadata request
// (franz-go) to a bootstrap address.  What kafka-topics.sh --describe says,
// without a JVM's start (3-20 s on a loaded lab machine): the reliability
// test tests/reliability/broker_kill.sh reads the leader it kills with it.

import (
	"errors"
	"sort"
	"strconv"
	"time"

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
	r, err := startOneRequest(&c, map[string]any{"kind": "leaders", "request": "Metadata", "topic": *topicName})
	if err != nil {
		return err
	}
	defer r.close()
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(*topicName)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(r.ctx, r.cl)
	if err != nil {
		return r.fail(err)
	}
	if len(resp.Topics) != 1 {
		return r.fail(errors.New("Metadata answered no topic"))
	}
	t := resp.Topics[0]
	if err := kerrOf(t.ErrorCode, nil); err != nil {
		return r.fail(err)
	}
	sort.Slice(t.Partitions, func(i, j int) bool { return t.Partitions[i].Partition < t.Partitions[j].Partition })
	leaders := map[string]int32{}
	for _, p := range t.Partitions {
		leaders[strconv.Itoa(int(p.Partition))] = p.Leader
	}
	return r.done(map[string]any{"leaders": leaders})
}
