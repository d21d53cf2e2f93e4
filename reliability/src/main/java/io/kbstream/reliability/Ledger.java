package io.kbstream.reliability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the clients were told: every upload and delete attempt with its HTTP answer. The expected
 * end state of each document is its acknowledged (202) operation with the highest version; an
 * attempt that got anything else may or may not have reached Kafka, so it promises nothing.
 */
public final class Ledger {

    /** One attempt; {@code status} 0 means no HTTP answer (connection refused or reset). */
    public record Attempt(
            String id,
            boolean delete,
            String text,
            int status,
            long version,
            boolean retryAfter,
            long startNanos,
            long endNanos) {

        public boolean acknowledged() {
            return status == 202;
        }
    }

    /** The promised end state of one document. */
    public record Expected(String id, long version, boolean deleted, String text) {}

    private final List<Attempt> attempts = new ArrayList<>();

    public synchronized void record(Attempt attempt) {
        attempts.add(attempt);
    }

    public synchronized List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    /** Per document id, its acknowledged operation with the highest version. */
    public synchronized Map<String, Expected> expected() {
        Map<String, Expected> out = new HashMap<>();
        for (Attempt a : attempts) {
            if (!a.acknowledged()) {
                continue;
            }
            Expected current = out.get(a.id());
            if (current == null || a.version() > current.version()) {
                out.put(a.id(), new Expected(a.id(), a.version(), a.delete(), a.text()));
            }
        }
        return out;
    }

    /** Attempts answered with {@code status}. */
    public synchronized long count(int status) {
        return attempts.stream().filter(a -> a.status() == status).count();
    }
}
