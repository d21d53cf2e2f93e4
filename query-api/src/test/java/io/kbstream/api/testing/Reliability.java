package io.kbstream.api.testing;

/**
 * How hard the reliability suites push: {@code ./kb test} runs them shortened; {@code ./kb test
 * --reliability} passes {@code -Dkb.reliability=full} and they run at full size.
 */
public final class Reliability {

    private Reliability() {}

    public static boolean full() {
        return "full".equalsIgnoreCase(System.getProperty("kb.reliability", ""));
    }

    /** {@code shortened} in a normal run, {@code full} with {@code -Dkb.reliability=full}. */
    public static int scaled(int shortened, int full) {
        return full() ? full : shortened;
    }
}
