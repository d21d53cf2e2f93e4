package io.kbstream.jobs.functions;

import io.kbstream.core.chunk.Chunk;
import io.kbstream.core.chunk.Chunker;
import io.kbstream.core.config.KbConfig;
import io.kbstream.jobs.records.ChunkTask;
import io.kbstream.jobs.records.IndexOp;
import io.kbstream.jobs.records.ParsedDocument;
import io.kbstream.schemas.DocumentState;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Step 3: splits a document into token-aware, overlapping chunks with the model's tokenizer. An
 * unchanged re-upload is only counted: its INDEXED "unchanged" status, with the chunk count, goes
 * out on {@link #UNCHANGED}.
 */
public final class ChunkFunction extends ProcessFunction<ParsedDocument, ChunkTask> {

    private static final long serialVersionUID = 1L;

    /** INDEXED "unchanged" statuses of re-uploads whose content did not change. */
    public static final OutputTag<IndexOp> UNCHANGED = new OutputTag<>("unchanged") {};

    private final KbConfig config;
    private transient Chunker chunker;

    public ChunkFunction(KbConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        chunker = Chunker.forConfig(config);
    }

    @Override
    public void processElement(ParsedDocument doc, Context ctx, Collector<ChunkTask> out) {
        List<Chunk> chunks = chunker.chunk(doc.text);
        if (doc.unchanged) {
            ctx.output(
                    UNCHANGED,
                    IndexOp.status(
                            doc.eventId,
                            doc.tenant,
                            doc.documentId,
                            doc.version,
                            doc.uploadedAt,
                            DocumentState.INDEXED,
                            "unchanged",
                            chunks.size()));
            return;
        }
        for (Chunk chunk : chunks) {
            ChunkTask task = new ChunkTask();
            task.eventId = doc.eventId;
            task.tenant = doc.tenant;
            task.documentId = doc.documentId;
            task.version = doc.version;
            task.partition = doc.partition;
            task.title = doc.title;
            task.contentHash = doc.contentHash;
            task.metadata = doc.metadata;
            task.uploadedAt = doc.uploadedAt;
            task.chunkNo = chunk.index();
            task.chunkCount = chunks.size();
            task.text = chunk.text();
            task.startChar = chunk.startChar();
            task.endChar = chunk.endChar();
            out.collect(task);
        }
    }
}
