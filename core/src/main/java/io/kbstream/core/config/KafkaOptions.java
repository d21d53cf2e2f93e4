package io.kbstream.core.config;

/** Kafka: the brokers, record limits, send timeouts and the topic names. */
public final class KafkaOptions {

    private KafkaOptions() {}

    public static final ConfigOption<String> BOOTSTRAP =
            ConfigOption.key("kb.kafka.bootstrap-servers")
                    .stringType()
                    .defaultFrom(c -> "127.0.0.1:" + (c.get(StackOptions.PORT_BASE) + 20))
                    .withDescription("Kafka bootstrap servers.");

    public static final ConfigOption<Integer> MAX_RECORD_BYTES =
            ConfigOption.key("kb.kafka.max-record-bytes")
                    .intType()
                    .defaultFrom(c -> c.get(ApiOptions.MAX_UPLOAD_BYTES) + 1024 * 1024)
                    .withDescription(
                            "Largest record kb-stream's producers send and the local broker"
                                    + " accepts: the largest upload plus room for the event's"
                                    + " envelope (Kafka's own default, 1 MiB, is below the upload"
                                    + " limit).");

    public static final ConfigOption<java.time.Duration> SEND_TIMEOUT =
            ConfigOption.key("kb.kafka.send-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(5))
                    .withDescription(
                            "How long a send may take before it fails (the API then answers 503,"
                                    + " never 202).");

    public static final ConfigOption<String> TOPIC_DOCUMENTS =
            ConfigOption.key("kb.kafka.topic.documents")
                    .stringType()
                    .defaultValue("kb.documents")
                    .withDescription(
                            "Topic of DocumentEvents (upserts and deletes), keyed tenant/docId.");

    public static final ConfigOption<java.time.Duration> DOCUMENTS_DELETE_RETENTION =
            ConfigOption.key("kb.kafka.documents.delete-retention")
                    .durationType()
                    .defaultValue(java.time.Duration.ofDays(7))
                    .withDescription(
                            "delete.retention.ms of the compacted documents topic: how long a"
                                    + " delete's tombstone stays after compaction. A reader that"
                                    + " was down, or a rebuild that reads the log, for longer than"
                                    + " this may miss a delete; 7 days is Kafka's own retention of"
                                    + " a consumer group's offsets and the job's"
                                    + " kb.pipeline.tombstone-ttl.");

    public static final ConfigOption<String> TOPIC_STATUS =
            ConfigOption.key("kb.kafka.topic.status")
                    .stringType()
                    .defaultValue("kb.document-status")
                    .withDescription("Topic of DocumentStatus events.");

    public static final ConfigOption<String> TOPIC_DLQ =
            ConfigOption.key("kb.kafka.topic.dlq")
                    .stringType()
                    .defaultValue("kb.documents.dlq")
                    .withDescription(
                            "Dead-letter topic: copies of records that could not be indexed.");

    public static final ConfigOption<String> TOPIC_TENANT_EVENTS =
            ConfigOption.key("kb.kafka.topic.tenant-events")
                    .stringType()
                    .defaultValue("kb.tenant-events")
                    .withDescription(
                            "Control topic of tenant events, keyed by tenant: a deleted tenant's"
                                    + " tombstone, which the indexing job honours by dropping its"
                                    + " keyed state.");
}
