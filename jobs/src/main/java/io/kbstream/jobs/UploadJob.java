package io.kbstream.jobs;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.jobs.functions.ToDocumentEvent;
import io.kbstream.jobs.records.BytesRecord;
import io.kbstream.jobs.records.WholeFileFormat;
import io.kbstream.jobs.sink.EventLogSink;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Bulk import: a folder (any Flink file system URI) or a BEIR {@code corpus.jsonl} becomes
 * DocumentEvents on {@code kb.documents}, indexed by the IndexingJob like any upload. Bounded: it
 * finishes by itself when every file is sent.
 */
public final class UploadJob {

    static final String UID_FILES = "upload-files";
    static final String UID_TO_EVENTS = "upload-to-events";
    static final String UID_SINK = "upload-kafka-sink";

    private final KbConfig config;
    private final String tenant;
    private final String input;
    private final Sink<BytesRecord> sink;

    public UploadJob(KbConfig config, String tenant, String input, Sink<BytesRecord> sink) {
        this.config = config;
        this.tenant = tenant;
        this.input = input;
        this.sink = sink;
    }

    /** Production wiring: events go to {@code kb.documents}. */
    public static UploadJob toKafka(KbConfig config, String tenant, String input) {
        return new UploadJob(
                config,
                tenant,
                input,
                EventLogSink.to(config, config.get(KafkaOptions.TOPIC_DOCUMENTS)));
    }

    public void build(StreamExecutionEnvironment env) {
        Path path = new Path(input);
        DataStream<BytesRecord> events;
        if (input.endsWith(".jsonl")) {
            FileSource<String> lines =
                    FileSource.forRecordStreamFormat(new TextLineInputFormat(), path).build();
            events =
                    env.fromSource(lines, WatermarkStrategy.noWatermarks(), "corpus lines")
                            .uid(UID_FILES)
                            .filter(line -> !line.isBlank())
                            .name("skip blank lines")
                            .map(new BeirLineToEvent(tenant))
                            .uid(UID_TO_EVENTS)
                            .name("corpus line → DocumentEvent");
        } else {
            FileSource<io.kbstream.jobs.records.UploadedFile> files =
                    FileSource.forBulkFileFormat(
                                    new WholeFileFormat(
                                            config.get(PipelineOptions.MAX_DOCUMENT_BYTES)),
                                    path)
                            .build();
            String root = path.toUri().getPath();
            events =
                    env.fromSource(files, WatermarkStrategy.noWatermarks(), "files")
                            .uid(UID_FILES)
                            .map(new FileToEvent(tenant, root))
                            .uid(UID_TO_EVENTS)
                            .name("file → DocumentEvent");
        }
        events.sinkTo(sink).uid(UID_SINK).name(config.get(KafkaOptions.TOPIC_DOCUMENTS));
    }

    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.execute("kb-stream upload " + input);
    }

    /**
     * {@code flink run ... -c io.kbstream.jobs.UploadJob job.jar --tenant T --input PATH
     * [--kb.x=y]}.
     */
    public static void main(String[] args) throws Exception {
        String tenant = null;
        String input = null;
        java.util.List<String> rest = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tenant" -> tenant = args[++i];
                case "--input" -> input = args[++i];
                default -> rest.add(args[i]);
            }
        }
        if (tenant == null || input == null) {
            throw new IllegalArgumentException(
                    "usage: UploadJob --tenant T --input PATH [--kb.option=value ...]");
        }
        KbConfig config = KbConfig.load(JobArgs.parse(rest.toArray(String[]::new)));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        toKafka(config, tenant, input).execute(env);
    }

    private static final class FileToEvent
            extends RichMapFunction<io.kbstream.jobs.records.UploadedFile, BytesRecord> {
        private static final long serialVersionUID = 1L;
        private final String tenant;
        private final String root;
        private transient AvroSerde<DocumentEvent> serde;

        FileToEvent(String tenant, String root) {
            this.tenant = tenant;
            this.root = root;
        }

        @Override
        public void open(OpenContext openContext) {
            serde = AvroSerde.documentEvents();
        }

        @Override
        public BytesRecord map(io.kbstream.jobs.records.UploadedFile file) {
            return ToDocumentEvent.fromFile(tenant, root, file, serde);
        }
    }

    private static final class BeirLineToEvent extends RichMapFunction<String, BytesRecord> {
        private static final long serialVersionUID = 1L;
        private final String tenant;
        private transient AvroSerde<DocumentEvent> serde;

        BeirLineToEvent(String tenant) {
            this.tenant = tenant;
        }

        @Override
        public void open(OpenContext openContext) {
            serde = AvroSerde.documentEvents();
        }

        @Override
        public BytesRecord map(String line) {
            return ToDocumentEvent.fromBeirLine(tenant, line, serde);
        }
    }
}
