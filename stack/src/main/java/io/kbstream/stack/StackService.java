package io.kbstream.stack;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

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
     * the fault tests use it. Fails with a {@link StackException} when it is not running.
     */
    void kill();

    /** Running (with pid) or stopped, one line. */
    Status status();

    /** Stops {@code services} last first (each was started after those it needs). */
    static void stopInReverse(List<? extends StackService> services, Consumer<String> progress) {
        List<StackService> reversed = new ArrayList<>(services);
        Collections.reverse(reversed);
        for (StackService service : reversed) {
            boolean wasRunning = service.status().running();
            service.down();
            progress.accept(
                    String.format(
                            "%-18s %s",
                            service.name(), wasRunning ? "stopped" : "was not running"));
        }
    }

    /** A service's state. */
    record Status(boolean running, String detail) {}
}
