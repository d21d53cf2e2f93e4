package io.kbstream.core.store;

/**
 * One Postgres server of a shard: its primary (which takes every write) or one of its read-only
 * streaming replicas. Searches name the node they read from; everything else uses the primary.
 */
public record ShardNode(int shard, int replica) {

    /** The {@link #replica} of a primary. */
    public static final int PRIMARY = -1;

    public ShardNode {
        if (shard < 0 || replica < PRIMARY) {
            throw new IllegalArgumentException("no node " + shard + "/" + replica);
        }
    }

    public static ShardNode primary(int shard) {
        return new ShardNode(shard, PRIMARY);
    }

    public static ShardNode replica(int shard, int replica) {
        if (replica < 0) {
            throw new IllegalArgumentException("replica must be >= 0: " + replica);
        }
        return new ShardNode(shard, replica);
    }

    public boolean isPrimary() {
        return replica == PRIMARY;
    }

    @Override
    public String toString() {
        return isPrimary()
                ? "shard " + shard + " primary"
                : "shard " + shard + " replica " + replica;
    }
}
