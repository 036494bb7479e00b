package main

// quorum: the KRaft quorum's leader, from DescribeQuorum (API key 55) on
// __cluster_metadata partition 0, sent by franz-go to a bootstrap address
// (a broker forwards it to the active controller).  verify shows it beside
// the controller the metadata names, which is what TiCDC reads: in KRaft the
// two differ (the metadata names some live broker).

import (
	"errors"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func cmdQuorum(args []string) error {
	var c common
	fs, bs := newFlagSet("quorum", &c, 10*time.Second)
	c.client = "franz"
	if err := parseCommon(fs, bs, &c, args); err != nil {
		return err
	}
	r, err := startOneRequest(&c, map[string]any{"kind": "quorum", "request": "DescribeQuorum"})
	if err != nil {
		return err
	}
	defer r.close()
	req := kmsg.NewPtrDescribeQuorumRequest()
	topic := kmsg.NewDescribeQuorumRequestTopic()
	topic.Topic = "__cluster_metadata"
	part := kmsg.NewDescribeQuorumRequestTopicPartition()
	part.Partition = 0
	topic.Partitions = append(topic.Partitions, part)
	req.Topics = append(req.Topics, topic)
	resp, err := req.RequestWith(r.ctx, r.cl)
	if err != nil {
		return r.fail(err)
	}
	if err := kerrOf(resp.ErrorCode, resp.ErrorMessage); err != nil {
		return r.fail(err)
	}
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		return r.fail(errors.New("DescribeQuorum answered no __cluster_metadata partition 0"))
	}
	p := resp.Topics[0].Partitions[0]
	if err := kerrOf(p.ErrorCode, p.ErrorMessage); err != nil {
		return r.fail(err)
	}
	var voters []int32
	for _, v := range p.CurrentVoters {
		voters = append(voters, v.ReplicaID)
	}
	return r.done(map[string]any{"leader_id": p.LeaderID, "leader_epoch": p.LeaderEpoch, "voters": voters})
}
