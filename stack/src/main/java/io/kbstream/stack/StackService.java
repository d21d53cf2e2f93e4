package io.kbstream.stack;

/** One server of the local stack, started and stopped by kb through its own pid file. */
public interface StackService {

    /** Short name shown by {@code kb stack status}, e.g. {@code postgres-shard-0}. */
    String name();

    /** Where it listens, e.g. {@code 127.0.0.1:25400}. */
    String endpoint();

    /** Starts it unless already running; returns when it answers. Idempotent. */
    void up();

    /** Stops the process kb started, if any; never touches other processes. */
    void down();

    /**
     * Kills the process kb started at once (SIGKILL, with its child processes), as a crash would;
     * the fault tests use it. No-op when it is not running.
     */
    void kill();

    /** Running (with pid) or stopped, one line. */
    Status status();

    /** A service's state. */
    record Status(boolean running, String detail) {}
}
