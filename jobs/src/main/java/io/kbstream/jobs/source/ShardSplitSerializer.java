package io.kbstream.jobs.source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Versioned bytes of a {@link ShardSplit} (reader state) and of the enumerator's unassigned splits
 * (a count, then the splits). Unknown versions are refused.
 */
public final class ShardSplitSerializer {

    static final int VERSION = 1;

    private ShardSplitSerializer() {}

    /** For the splits in reader state. */
    public static final class Splits implements SimpleVersionedSerializer<ShardSplit> {
        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(ShardSplit split) throws IOException {
            return write(List.of(split));
        }

        @Override
        public ShardSplit deserialize(int version, byte[] bytes) throws IOException {
            List<ShardSplit> one = read(version, bytes);
            if (one.size() != 1) {
                throw new IOException("expected one split, found " + one.size());
            }
            return one.get(0);
        }
    }

    /** For the enumerator's checkpoint: the splits not yet handed out. */
    public static final class Pending implements SimpleVersionedSerializer<List<ShardSplit>> {
        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(List<ShardSplit> splits) throws IOException {
            return write(splits);
        }

        @Override
        public List<ShardSplit> deserialize(int version, byte[] bytes) throws IOException {
            return read(version, bytes);
        }
    }

    static byte[] write(List<ShardSplit> splits) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(splits.size());
            for (ShardSplit s : splits) {
                out.writeInt(s.shard());
                out.writeLong(s.afterId());
            }
        }
        return bytes.toByteArray();
    }

    static List<ShardSplit> read(int version, byte[] bytes) throws IOException {
        if (version != VERSION) {
            throw new IOException(
                    "unknown shard split version " + version + "; this reads " + VERSION);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int n = in.readInt();
            List<ShardSplit> splits = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                splits.add(new ShardSplit(in.readInt(), in.readLong()));
            }
            return splits;
        }
    }
}
