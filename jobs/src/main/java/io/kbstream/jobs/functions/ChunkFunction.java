package io.kbstream.jobs.functions;

import io.kbstream.core.chunk.Chunk;
import io.kbstream.core.chunk.Chunker;
import io.kbstream.core.config.KbConfig;
import io.kbstream.jobs.records.ChunkTask;
import io.kbstream.jobs.records.ParsedDocument;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/** Step 3: splits a document into token-aware, overlapping chunks with the model's tokenizer. */
public final class ChunkFunction extends RichFlatMapFunction<ParsedDocument, ChunkTask> {

    private static final long serialVersionUID = 1L;

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
    public void flatMap(ParsedDocument doc, Collector<ChunkTask> out) {
        List<Chunk> chunks = chunker.chunk(doc.text);
        for (Chunk chunk : chunks) {
            ChunkTask task = new ChunkTask();
            task.eventId = doc.eventId;
            task.tenant = doc.tenant;
            task.documentId = doc.documentId;
            task.version = doc.version;
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
