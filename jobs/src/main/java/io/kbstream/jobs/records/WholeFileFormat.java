package io.kbstream.jobs.records;

import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.SingletonResultIterator;
import org.apache.flink.core.fs.FileSystem;

/**
 * Reads each file as one record: its path and its bytes (a document is indexed whole, and a PDF
 * cannot be split). Files larger than the limit yield an empty content, which the indexing job
 * reports FAILED "too large" instead of reading it into memory.
 */
public final class WholeFileFormat implements BulkFormat<UploadedFile, FileSourceSplit> {

    private static final long serialVersionUID = 1L;

    private final long maxBytes;

    public WholeFileFormat(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public Reader<UploadedFile> createReader(Configuration config, FileSourceSplit split) {
        return new OneRecordReader(split, false, maxBytes);
    }

    @Override
    public Reader<UploadedFile> restoreReader(Configuration config, FileSourceSplit split) {
        // a checkpointed position means this file's one record was already emitted
        boolean done =
                split.getReaderPosition().map(p -> p.getRecordsAfterOffset() > 0).orElse(false);
        return new OneRecordReader(split, done, maxBytes);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<UploadedFile> getProducedType() {
        return TypeInformation.of(UploadedFile.class);
    }

    private static final class OneRecordReader implements Reader<UploadedFile> {
        private final FileSourceSplit split;
        private final long maxBytes;
        private boolean done;

        OneRecordReader(FileSourceSplit split, boolean done, long maxBytes) {
            this.split = split;
            this.done = done;
            this.maxBytes = maxBytes;
        }

        @Override
        public RecordIterator<UploadedFile> readBatch() throws IOException {
            if (done) {
                return null;
            }
            done = true;
            UploadedFile file = new UploadedFile();
            file.path = split.path().toUri().getPath();
            file.size = split.fileSize();
            if (split.fileSize() <= maxBytes) {
                FileSystem fs = split.path().getFileSystem();
                try (InputStream in = fs.open(split.path())) {
                    file.content = in.readAllBytes();
                }
            } else {
                file.content = new byte[0];
            }
            SingletonResultIterator<UploadedFile> it = new SingletonResultIterator<>();
            it.set(file, CheckpointedPosition.NO_OFFSET, 1);
            return it;
        }

        @Override
        public void close() {}
    }
}
