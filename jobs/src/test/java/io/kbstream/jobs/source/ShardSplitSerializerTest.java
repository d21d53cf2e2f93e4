package io.kbstream.jobs.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link ShardSplitSerializer}. */
class ShardSplitSerializerTest {

    @Test
    void a_split_and_the_pending_splits_round_trip_with_their_positions() throws IOException {
        ShardSplitSerializer.Splits one = new ShardSplitSerializer.Splits();
        ShardSplit split = new ShardSplit(1, 4_000_000_123L);
        assertThat(one.deserialize(one.getVersion(), one.serialize(split))).isEqualTo(split);

        ShardSplitSerializer.Pending pending = new ShardSplitSerializer.Pending();
        List<ShardSplit> splits = List.of(new ShardSplit(0, 0), new ShardSplit(3, 17));
        assertThat(pending.deserialize(pending.getVersion(), pending.serialize(splits)))
                .isEqualTo(splits);
        assertThat(pending.deserialize(pending.getVersion(), pending.serialize(List.of())))
                .isEmpty();
    }

    @Test
    void an_unknown_version_is_refused() {
        ShardSplitSerializer.Splits one = new ShardSplitSerializer.Splits();
        assertThatThrownBy(() -> one.deserialize(2, one.serialize(new ShardSplit(0, 1))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown shard split version 2");
    }
}
