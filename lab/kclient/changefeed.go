package main

// `psclab-kclient changefeed`: what TiCDC's Kafka sink sends when a
// changefeed is created, step by step, with Sarama as TiCDC does it.
//
// Read from pingcap/ticdc (snapshot of 2026-08-18: downstreamadapter/sink/
// kafka Verify and newKafkaSinkComponent, pkg/sink/kafka sarama_config.go,
// sarama_factory.go, admin.go, options.go; downstreamadapter/sink/
// topicmanager kafka_topic_manager.go):
//
//  1. api_versions: the bootstrap addresses shuffled; to each in turn, a new
//     connection and ApiVersions v0 (options.RequestVersion is 0), until one
//     answers; Metadata's max version is read from ApiKeys[3] - the answer's
//     fourth entry, whatever key it holds - and mapped to a Kafka version.
//     No answer at all: TiCDC warns and goes on with 2.0.0.
//  2. client: sarama.NewClient (ApiVersions, Metadata) and a ClusterAdmin
//     from it; a failure is [CDC:ErrNewKafkaSink].
//  3. topic: DescribeTopics of the changefeed's topic (does it exist?), as
//     GetTopicsMeta(ignoreTopicError=true): the topic's own error (not
//     authorized, ...) is only logged and the topic taken as absent.
//  4. max_message_bytes: the topic's max.message.bytes when it exists
//     (DescribeConfigs TOPIC, else the broker's), else the broker's
//     message.max.bytes, through GetBrokerConfig: DescribeCluster for the
//     controller, then DescribeConfigs(BROKER <controller id>).  Not found:
//     TiCDC warns and keeps its configured value.
//  5. replication_factor: with acks=all (the default), the broker's
//     min.insync.replicas (GetBrokerConfig again) against the sink's
//     replication-factor: smaller is [CDC:ErrKafkaInvalidConfig].
//  6. create_topic: CreateTopicAndWaitUntilVisible: DescribeTopics again
//     (topic errors count now), CreateTopics (validateOnly false), "already
//     exists" ignored, then DescribeTopics until it is visible (6 tries).
//     An authorization failure lets the changefeed be created; it fails at
//     its first send (reported here as the failure it is).
//
// One JSON line per step: {"kind":"cdc_step","step":...,"ok":...,"warn":...,
// "ms":...,"detail":...,"cdc_error":...}; a step that is not reached is not
// printed.  The topic made here is deleted at the end (not a TiCDC step:
// a line with "step":"cleanup").

import (
	"errors"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

type cdcStep struct {
	Kind     string `json:"kind"`
	Step     string `json:"step"`
	OK       bool   `json:"ok"`
	Warn     bool   `json:"warn,omitempty"`
	Later    bool   `json:"later,omitempty"`
	Ms       int64  `json:"ms"`
	Detail   string `json:"detail"`
	CdcError string `json:"cdc_error,omitempty"`
}

func emitStep(step string, t0 time.Time, ok, warn bool, detail, cdcErr string) {
	emit(cdcStep{Kind: "cdc_step", Step: step, OK: ok, Warn: warn,
		Ms: msSince(t0), Detail: detail, CdcError: cdcErr})
}

// TiCDC's table from Metadata's max version to a Kafka version
// (getKafkaVersionFromBroker)
func cdcKafkaVersion(metadataMax int16) sarama.KafkaVersion {
	switch {
	case metadataMax >= 10:
		return sarama.V2_8_0_0
	case metadataMax >= 9:
		return sarama.V2_4_0_0
	case metadataMax >= 8:
		return sarama.V2_3_0_0
	case metadataMax >= 7:
		return sarama.V2_1_0_0
	case metadataMax >= 6:
		return sarama.V2_0_0_0
	case metadataMax >= 5:
		return sarama.V1_0_0_0
	case metadataMax >= 3:
		return sarama.V0_11_0_0
	case metadataMax >= 2:
		return sarama.V0_10_1_0
	case metadataMax >= 1:
		return sarama.V0_10_0_0
	}
	return sarama.V0_8_2_0
}

// step 1; returns the version TiCDC would configure
func cdcApiVersions(conf *sarama.Config, addrs []string) sarama.KafkaVersion {
	t0 := time.Now()
	shuffled := append([]string(nil), addrs...)
	rand.Shuffle(len(shuffled), func(i, j int) {
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	})
	var tried []string
	for _, a := range shuffled {
		b := sarama.NewBroker(a)
		err := b.Open(conf)
		var resp *sarama.ApiVersionsResponse
		if err == nil {
			resp, err = b.ApiVersions(&sarama.ApiVersionsRequest{Version: 0})
		}
		_ = b.Close()
		if err == nil && len(resp.ApiKeys) <= 3 {
			err = fmt.Errorf("the answer has %d API keys, no fourth entry", len(resp.ApiKeys))
		}
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s: %s", a, errString(err)))
			continue
		}
		k := resp.ApiKeys[3]
		v := cdcKafkaVersion(k.MaxVersion)
		if k.ApiKey != 3 {
			emitStep("api_versions", t0, false, true,
				fmt.Sprintf("%s answered ApiVersions v0, but its fourth entry is API key %d, not Metadata (3): TiCDC reads max version %d from it and configures Kafka %s",
					a, k.ApiKey, k.MaxVersion, v), "")
			return v
		}
		detail := fmt.Sprintf("%s answered ApiVersions v0 first (order tried: %s): Metadata max version %d, so TiCDC configures Sarama for Kafka %s",
			a, strings.Join(shuffled, ", "), k.MaxVersion, v)
		if len(tried) > 0 {
			detail += "; before it: " + strings.Join(tried, "; ")
		}
		emitStep("api_versions", t0, true, false, detail, "")
		return v
	}
	emitStep("api_versions", t0, false, true,
		"no bootstrap address answered ApiVersions v0 ("+strings.Join(tried, "; ")+
			"); TiCDC only warns (\"kafka version detection failed, using fallback version\") and goes on with Kafka 2.0.0", "")
	return sarama.V2_0_0_0
}

// GetBrokerConfig as TiCDC's admin client does it: DescribeCluster for the
// controller, then DescribeConfigs(BROKER <controller>); which says what
// was asked for the detail line
func cdcBrokerConfig(admin sarama.ClusterAdmin, name string) (val string, found bool, which string, err error) {
	_, controller, err := admin.DescribeCluster()
	if err != nil {
		return "", false, "", cdcAdminError(err, "describe-cluster", "cluster")
	}
	which = fmt.Sprintf("DescribeConfigs(BROKER %d, the controller DescribeCluster names)", controller)
	entries, err := admin.DescribeConfig(sarama.ConfigResource{
		Type: sarama.BrokerResource, Name: strconv.Itoa(int(controller)),
		ConfigNames: []string{name}})
	if err != nil {
		return "", false, which, cdcAdminError(err, "describe-config", name)
	}
	for _, e := range entries {
		if e.Name == name {
			return e.Value, true, which, nil
		}
	}
	return "", false, which, nil
}

// TiCDC's errors.WrapError(ErrKafkaAuthorizationFailed or ErrKafkaAdminAPI,
// err, api, resource) as the changefeed shows it (pkg/sink/kafka admin.go)
func cdcAdminError(err error, api, resource string) error {
	if errors.Is(err, sarama.ErrTopicAuthorizationFailed) ||
		errors.Is(err, sarama.ErrClusterAuthorizationFailed) {
		return fmt.Errorf("[CDC:ErrKafkaAuthorizationFailed]kafka %s authorization failed: %s: %w", api, resource, err)
	}
	return fmt.Errorf("[CDC:ErrKafkaAdminAPI]kafka admin API %s failed: %s: %w", api, resource, err)
}

func cdcAuthFailed(err error) bool {
	return strings.HasPrefix(err.Error(), "[CDC:ErrKafkaAuthorizationFailed]")
}

// GetTopicsMeta(topic, ignoreTopicErr) as TiCDC's admin client does it: a
// DescribeTopics that fails is an error; so is the topic's own error (but
// "unknown topic": absent), unless ignoreTopicErr: then TiCDC logs "kafka
// topic metadata refresh failed" and treats the topic as absent (topicErr)
func cdcTopicsMeta(admin sarama.ClusterAdmin, topic string, ignoreTopicErr bool) (exists bool, n int32, topicErr, err error) {
	md, err := admin.DescribeTopics([]string{topic})
	if err != nil {
		return false, 0, nil, cdcAdminError(err, "describe-topics", topic)
	}
	for _, m := range md {
		switch {
		case m.Name != topic || m.Err == sarama.ErrUnknownTopicOrPartition:
		case m.Err == sarama.ErrNoError:
			return true, int32(len(m.Partitions)), nil, nil
		case ignoreTopicErr:
			return false, 0, m.Err, nil
		default:
			return false, 0, nil, cdcAdminError(m.Err, "describe-topic", topic)
		}
	}
	return false, 0, nil, nil
}

// step 4
func cdcMaxMessageBytes(admin sarama.ClusterAdmin, topic string, exists bool) {
	t0 := time.Now()
	if exists {
		entries, err := admin.DescribeConfig(sarama.ConfigResource{
			Type: sarama.TopicResource, Name: topic,
			ConfigNames: []string{"max.message.bytes"}})
		if err == nil {
			for _, e := range entries {
				if e.Name == "max.message.bytes" {
					emitStep("max_message_bytes", t0, true, false,
						fmt.Sprintf("topic %s exists: max.message.bytes %s (DescribeConfigs TOPIC)", topic, e.Value), "")
					return
				}
			}
		}
	}
	v, found, which, err := cdcBrokerConfig(admin, "message.max.bytes")
	switch {
	case err != nil:
		emitStep("max_message_bytes", t0, false, true,
			fmt.Sprintf("%s; TiCDC warns (\"kafka broker `message.max.bytes` unavailable, using configured value\") and keeps its max-message-bytes", err), "")
	case !found:
		emitStep("max_message_bytes", t0, false, true,
			which+" did not answer message.max.bytes; TiCDC warns and keeps its configured max-message-bytes", "")
	default:
		emitStep("max_message_bytes", t0, true, false,
			fmt.Sprintf("broker message.max.bytes %s from %s: the new topic's max.message.bytes, TiCDC's message limit", v, which), "")
	}
}

// step 5; false when the changefeed would be refused
func cdcReplicationFactor(admin sarama.ClusterAdmin, rf int16) bool {
	t0 := time.Now()
	v, found, which, err := cdcBrokerConfig(admin, "min.insync.replicas")
	if err != nil || !found {
		why := "it was not answered"
		if err != nil {
			why = err.Error()
		}
		emitStep("replication_factor", t0, false, true,
			fmt.Sprintf("min.insync.replicas: %s; TiCDC skips the replication factor check (a warning)", why), "")
		return true
	}
	isr, err := strconv.Atoi(v)
	if err != nil {
		emitStep("replication_factor", t0, false, false, "min.insync.replicas "+v+" is not a number",
			fmt.Sprintf("[CDC:ErrKafkaAdminAPI]kafka admin API parse-config failed: min.insync.replicas: %v", err))
		return false
	}
	if int(rf) < isr {
		emitStep("replication_factor", t0, false, false,
			fmt.Sprintf("the sink's replication-factor %d is below the brokers' min.insync.replicas %d (%s): with acks=all no write could be acknowledged", rf, isr, which),
			fmt.Sprintf("[CDC:ErrKafkaInvalidConfig]TiCDC Kafka sink's `request.required.acks` defaults to -1, TiCDC cannot deliver messages when the `replication-factor` %d is smaller than the `min.insync.replicas` %d of broker", rf, isr))
		return false
	}
	emitStep("replication_factor", t0, true, false,
		fmt.Sprintf("replication-factor %d >= min.insync.replicas %d (%s)", rf, isr, which), "")
	return true
}

// step 6, CreateTopicAndWaitUntilVisible; made: this run made the topic;
// ok: it is visible.  TiCDC lets an authorization failure pass here (the
// changefeed is created with its configured partitions and fails when it
// sends): the lab reports that as a failure, with the error it will meet.
func cdcCreateTopic(admin sarama.ClusterAdmin, topic string, partitions int32, rf int16, deadline time.Time) (made, ok bool) {
	t0 := time.Now()
	passed := func(err error) (bool, bool) {
		emit(cdcStep{Kind: "cdc_step", Step: "create_topic", Later: true, Ms: msSince(t0),
			Detail: "TiCDC creates the changefeed anyway (CreateTopicAndWaitUntilVisible lets an authorization failure pass, with partition-num " +
				strconv.Itoa(int(partitions)) + ") and it fails when it first sends to " + topic,
			CdcError: err.Error()})
		return false, false
	}
	if exists, _, _, err := cdcTopicsMeta(admin, topic, false); err != nil && cdcAuthFailed(err) {
		return passed(err)
	} else if err == nil && exists {
		emitStep("create_topic", t0, true, false, "not needed: the topic exists", "")
		return false, true
	}
	err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: rf}, false)
	made = err == nil
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		cerr := cdcAdminError(err, "create-topic", topic)
		if cdcAuthFailed(cerr) {
			return passed(cerr)
		}
		emitStep("create_topic", t0, false, false,
			fmt.Sprintf("CreateTopics %s (%d partitions, replication-factor %d): %s", topic, partitions, rf, errString(err)),
			cerr.Error())
		return false, false
	}
	// waitUntilTopicVisible: GetTopicsMeta(topic, false), 6 tries
	var last error
	for try := 0; try < 6 && time.Now().Before(deadline); try++ {
		exists, n, _, err := cdcTopicsMeta(admin, topic, false)
		if err == nil && exists && n == partitions {
			emitStep("create_topic", t0, true, false,
				fmt.Sprintf("CreateTopics %s (%d partitions, replication-factor %d), visible in DescribeTopics", topic, partitions, rf), "")
			return made, true
		}
		last = err
		time.Sleep(time.Duration(500+500*min(try, 1)) * time.Millisecond)
	}
	if last == nil {
		last = fmt.Errorf("[CDC:ErrKafkaAdminAPI]kafka admin API describe-topic failed: %s", topic)
	}
	emitStep("create_topic", t0, false, false,
		fmt.Sprintf("topic %s was created but DescribeTopics does not show its %d partitions after TiCDC's 6 tries", topic, partitions),
		last.Error())
	return made, false
}

func cmdChangefeed(args []string) error {
	var c common
	fs, bs := newFlagSet("changefeed", &c, 30*time.Second)
	topic := fs.String("topic", "", "the changefeed's topic")
	rf := fs.Int("replication-factor", 1, "the sink URI's replication-factor (TiCDC's default 1)")
	partitions := fs.Int("partitions", 3, "the sink URI's partition-num (TiCDC's default 3)")
	keep := fs.Bool("keep", false, "keep the topic made")
	c.client = "sarama"
	if err := parseCommon(fs, bs, &c, args); err != nil {
		return err
	}
	if *topic == "" {
		return usageError{"--topic is required"}
	}
	if *rf < 1 || *rf > 32767 || *partitions < 1 {
		return usageError{"--replication-factor and --partitions must be >= 1"}
	}
	startWatchdog(c.timeout+watchdogGrace, nil)
	deadline := time.Now().Add(c.timeout)
	conf, err := saramaConfig(&c)
	if err != nil {
		return err
	}
	// TiCDC's own settings that matter here (newSaramaConfig)
	conf.Metadata.Retry.Max = 10
	conf.Metadata.Retry.Backoff = 200 * time.Millisecond
	conf.Admin.Retry.Max = 10
	conf.Admin.Retry.Backoff = 200 * time.Millisecond
	conf.Admin.Timeout = 10 * time.Second
	conf.Metadata.AllowAutoTopicCreation = true
	// Bounded: TiCDC dials each address for up to 10 s and retries
	// Metadata 10 times; the lab shortens the dial so that every address
	// failing still ends in TiCDC's own error before --timeout.
	shortened := ""
	if d := c.timeout / time.Duration(12*len(c.bootstrap)); d < conf.Net.DialTimeout {
		conf.Net.DialTimeout = d
		shortened = fmt.Sprintf(" (dial timeout %v instead of TiCDC's 10 s, so the check ends in time)", d.Round(time.Millisecond))
	}

	conf.Version = cdcApiVersions(conf, c.bootstrap)

	t0 := time.Now()
	client, err := sarama.NewClient(c.bootstrap, conf)
	var admin sarama.ClusterAdmin
	if err == nil {
		admin, err = sarama.NewClusterAdminFromClient(client)
	}
	if err != nil {
		emitStep("client", t0, false, false,
			fmt.Sprintf("sarama.NewClient(%s): %s%s", strings.Join(c.bootstrap, ","), errString(err), shortened),
			"[CDC:ErrNewKafkaSink]new kafka sink: "+errString(err))
		if client != nil {
			_ = client.Close()
		}
		return errCheckFailed
	}
	defer admin.Close()
	var names []string
	for _, b := range client.Brokers() {
		names = append(names, fmt.Sprintf("%d=%s", b.ID(), b.Addr()))
	}
	emitStep("client", t0, true, false, "client and admin started; Metadata names brokers "+strings.Join(names, " "), "")

	t0 = time.Now()
	exists, n, topicErr, err := cdcTopicsMeta(admin, *topic, true)
	switch {
	case err != nil:
		emitStep("topic", t0, false, false, "DescribeTopics "+*topic+": "+errString(err), err.Error())
		return errCheckFailed
	case topicErr != nil:
		emitStep("topic", t0, false, true, "DescribeTopics "+*topic+": "+errString(topicErr)+
			"; TiCDC logs \"kafka topic metadata refresh failed\" and goes on as if the topic did not exist", "")
	case exists:
		emitStep("topic", t0, true, false, fmt.Sprintf("topic %s exists with %d partitions", *topic, n), "")
	default:
		emitStep("topic", t0, true, false, "topic "+*topic+" does not exist yet: TiCDC will create it", "")
	}
	cdcMaxMessageBytes(admin, *topic, exists)
	if exists {
		now := time.Now()
		emitStep("replication_factor", now, true, false,
			"not checked: the topic exists (TiCDC checks it only for a topic it creates)", "")
		emitStep("create_topic", now, true, false, "not needed: the topic exists", "")
		return nil
	}
	if !cdcReplicationFactor(admin, int16(*rf)) {
		return errCheckFailed
	}
	made, ok := cdcCreateTopic(admin, *topic, int32(*partitions), int16(*rf), deadline)
	if made && !*keep {
		t0 = time.Now()
		detail := "DeleteTopic " + *topic
		err := admin.DeleteTopic(*topic)
		if err != nil {
			detail += ": " + errString(err)
		}
		emitStep("cleanup", t0, err == nil, false, detail, "")
	}
	if !ok {
		return errCheckFailed
	}
	return nil
}
