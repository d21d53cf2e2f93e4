package io.kbstream.api.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.client.EventStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every message an {@link EventStream} delivered, in order: the ones {@link #await} took on its way
 * to a match as well as those still queued, so a message that should never have come (another
 * tenant's status) stays visible however early it arrived.
 */
public final class SocketTranscript {

    private final EventStream stream;
    private final List<String> taken = new ArrayList<>();

    public SocketTranscript(EventStream stream) {
        this.stream = stream;
    }

    /** Takes messages until one contains {@code needle}; fails if none does within the time. */
    public String await(String needle, int seconds) throws InterruptedException {
        Optional<String> match =
                stream.await(
                        m -> {
                            taken.add(m);
                            return m.contains(needle);
                        },
                        Duration.ofSeconds(seconds));
        assertThat(match).as("a message containing %s within %d s", needle, seconds).isPresent();
        return match.get();
    }

    /** Every message received so far, oldest first. */
    public List<String> all() {
        List<String> all = new ArrayList<>(taken);
        all.addAll(stream.messages());
        return all;
    }
}
