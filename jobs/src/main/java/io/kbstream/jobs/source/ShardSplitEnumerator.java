package io.kbstream.jobs.source;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/** Hands one shard split at a time to whichever reader asks; no more when none is left. */
final class ShardSplitEnumerator implements SplitEnumerator<ShardSplit, List<ShardSplit>> {

    private final SplitEnumeratorContext<ShardSplit> context;
    private final Deque<ShardSplit> pending;

    ShardSplitEnumerator(SplitEnumeratorContext<ShardSplit> context, List<ShardSplit> pending) {
        this.context = context;
        this.pending = new ArrayDeque<>(pending);
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtask, String requesterHostname) {
        ShardSplit next = pending.poll();
        if (next != null) {
            context.assignSplit(next, subtask);
        } else {
            context.signalNoMoreSplits(subtask);
        }
    }

    @Override
    public void addSplitsBack(List<ShardSplit> splits, int subtask) {
        // a failed reader's splits, at their last checkpointed position
        splits.forEach(pending::addFirst);
    }

    @Override
    public void addReader(int subtask) {}

    @Override
    public List<ShardSplit> snapshotState(long checkpointId) {
        return new ArrayList<>(pending);
    }

    @Override
    public void close() {}
}
