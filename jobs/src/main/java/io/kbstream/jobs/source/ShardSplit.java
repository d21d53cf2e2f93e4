package io.kbstream.jobs.source;

import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One shard's share of a tenant's chunks to re-embed, and how far it has been read: the id of the
 * last chunk emitted. A restored split reads on after it; chunks that got their vector meanwhile
 * are skipped by the query itself.
 */
public final class ShardSplit implements SourceSplit {

    private final int shard;
    private final long afterId;

    public ShardSplit(int shard, long afterId) {
        if (shard < 0) {
            throw new IllegalArgumentException("shard must be >= 0: " + shard);
        }
        this.shard = shard;
        this.afterId = afterId;
    }

    public int shard() {
        return shard;
    }

    public long afterId() {
        return afterId;
    }

    public ShardSplit after(long chunkId) {
        return new ShardSplit(shard, chunkId);
    }

    @Override
    public String splitId() {
        return "shard-" + shard;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardSplit s && s.shard == shard && s.afterId == afterId;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(afterId) * 31 + shard;
    }

    @Override
    public String toString() {
        return splitId() + "@" + afterId;
    }
}
