package io.kbstream.stack;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A process kb started that is not one of the stack's own services, e.g. a benchmark's API or
 * pipeline JVM: known only by its pid file in the run folder, so {@code kb stack status} shows it
 * and {@code kb stack down} stops it. Whoever started it starts it again.
 */
final class TrackedProcess implements StackService {

    private final String name;
    private final Path runDir;

    TrackedProcess(String name, Path runDir) {
        this.name = name;
        this.runDir = runDir;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String endpoint() {
        return "pid file " + pidFile();
    }

    private Path pidFile() {
        return runDir.resolve(name + ".pid");
    }

    @Override
    public void up() {
        throw new StackException(
                name + " is not a service of the stack", "start it again the way it was started");
    }

    /** Stops it if it runs, and forgets it either way. */
    @Override
    public void down() {
        Processes.stopByPidFile(pidFile(), Duration.ofSeconds(30));
        Processes.forget(pidFile());
    }

    @Override
    public void kill() {
        Processes.killByPidFile(pidFile());
    }

    @Override
    public Status status() {
        return Processes.statusOf(pidFile(), "not running (stale pid file)");
    }
}
