package io.kbstream.jobs.functions;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.extract.ExtractionException;
import io.kbstream.core.extract.TextExtractor;
import io.kbstream.jobs.metrics.JobMetrics;
import io.kbstream.jobs.records.BytesRecord;
import io.kbstream.jobs.records.DocumentCommand;
import io.kbstream.jobs.records.IndexOp;
import io.kbstream.jobs.records.ParsedDocument;
import io.kbstream.schemas.DocumentState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 1: validates each command and extracts the text of uploads. A bad record (undecodable,
 * empty, too large, unsupported or corrupt content) goes out twice — a FAILED status with the
 * reason, and a copy to the dead-letter topic — and the job moves on.
 */
public final class ParseDocumentFunction extends ProcessFunction<DocumentCommand, ParsedDocument> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ParseDocumentFunction.class);

    /** FAILED statuses of records that did not pass. */
    public static final OutputTag<IndexOp> FAILED = new OutputTag<>("failed") {};

    /** Copies of records that did not pass, for {@code kb.documents.dlq}. */
    public static final OutputTag<BytesRecord> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final KbConfig config;
    private transient TextExtractor extractor;
    private transient int maxBytes;
    private transient Counter deadLetters;

    public ParseDocumentFunction(KbConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        extractor = TextExtractor.create();
        maxBytes = config.get(PipelineOptions.MAX_DOCUMENT_BYTES);
        deadLetters =
                JobMetrics.counter(getRuntimeContext().getMetricGroup(), "dead_letters_total");
    }

    @Override
    public void processElement(
            DocumentCommand command, Context ctx, Collector<ParsedDocument> out) {
        if (!command.isDecodable()) {
            LOG.warn("dead-lettered an undecodable record: {}", command.decodeError);
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, deadLetter(command, command.decodeError));
            return;
        }
        String problem = validate(command);
        if (problem != null) {
            reject(command, problem, ctx);
            return;
        }
        ParsedDocument doc = new ParsedDocument();
        doc.eventId = command.eventId;
        doc.delete = command.isDelete();
        doc.tenant = command.tenant;
        doc.documentId = command.documentId;
        doc.version = command.version;
        doc.partition = command.partition;
        doc.title = command.title;
        doc.metadata = command.metadata;
        doc.uploadedAt = command.uploadedAt;
        if (!doc.delete) {
            String text;
            try {
                text = extractor.extract(command.content, command.contentType);
            } catch (ExtractionException e) {
                reject(command, e.getMessage(), ctx);
                return;
            }
            if (text.isBlank()) {
                reject(command, "no text found in the document", ctx);
                return;
            }
            doc.text = text;
            doc.contentHash = contentHash(doc.title, text, doc.metadata);
        }
        out.collect(doc);
    }

    private String validate(DocumentCommand c) {
        if (c.tenant == null
                || c.tenant.isBlank()
                || c.documentId == null
                || c.documentId.isBlank()) {
            return "missing tenant or document id";
        }
        if (c.isDelete()) {
            return null;
        }
        if (c.content == null || c.content.length == 0) {
            return "empty document";
        }
        if (c.content.length > maxBytes) {
            return "document too large: " + c.content.length + " bytes, the limit is " + maxBytes;
        }
        return null;
    }

    private void reject(DocumentCommand c, String reason, Context ctx) {
        ctx.output(
                FAILED,
                IndexOp.status(
                        c.eventId,
                        c.tenant,
                        c.documentId,
                        c.version,
                        c.uploadedAt,
                        DocumentState.FAILED,
                        reason,
                        0));
        deadLetters.inc();
        ctx.output(DEAD_LETTERS, deadLetter(c, reason));
    }

    /** The record as it came, with the reason in a header. */
    private static BytesRecord deadLetter(DocumentCommand c, String reason) {
        return new BytesRecord(c.rawKey, c.rawValue, reason);
    }

    /** Equal hash means nothing a search sees has changed: title, text and metadata. */
    static String contentHash(String title, String text, Map<String, String> metadata) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(String.valueOf(title).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(text.getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
                sha.update((byte) 0);
                sha.update((e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
