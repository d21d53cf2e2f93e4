package io.kbstream.reliability;

import java.time.Duration;

/**
 * How hard the fault scenarios push: {@code short} (the default, part of {@code ./kb test}) or
 * {@code full} ({@code ./kb test --reliability}, i.e. {@code -Dkb.reliability=full}).
 */
public record FaultSettings(
        String mode, long seed, int docs, Duration outage, Duration settleTimeout) {

    /** The property {@code ./kb test --reliability} sets. */
    public static final String PROPERTY = "kb.reliability";

    public static FaultSettings shortRun() {
        return new FaultSettings("short", 42, 40, Duration.ofSeconds(8), Duration.ofMinutes(3));
    }

    public static FaultSettings full() {
        return new FaultSettings("full", 42, 300, Duration.ofSeconds(30), Duration.ofMinutes(10));
    }

    /** From {@code -Dkb.reliability}: {@code full}, anything else is the short run. */
    public static FaultSettings fromSystemProperty() {
        return "full".equals(System.getProperty(PROPERTY)) ? full() : shortRun();
    }

    public boolean isFull() {
        return "full".equals(mode);
    }
}
