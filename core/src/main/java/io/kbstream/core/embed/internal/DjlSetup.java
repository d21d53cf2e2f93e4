package io.kbstream.core.embed.internal;

/**
 * Puts DJL in offline mode. Must run before any DJL class initialises: DJL reads the flag when it
 * first looks for engines and natives, and with it set loads every native from the jars on the
 * classpath instead of trying to download it.
 */
public final class DjlSetup {

    private DjlSetup() {}

    static {
        System.setProperty("ai.djl.offline", "true");
        // Usage telemetry is a network call too.
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    /** Idempotent; the work happens in the static initialiser, once. */
    public static void offline() {
        // class initialisation did it
    }
}
