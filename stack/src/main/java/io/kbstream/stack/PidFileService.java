package io.kbstream.stack;

import java.nio.file.Path;
import java.time.Duration;

/** A service kb started as a detached process and knows by the pid file it wrote. */
interface PidFileService extends StackService {

    /** Where the started process's pid is. */
    Path pidFile();

    /** How long a stop waits after SIGTERM before it kills the process. */
    Duration stopTimeout();

    @Override
    default void down() {
        Processes.stopByPidFile(pidFile(), stopTimeout());
    }

    @Override
    default void kill() {
        Processes.killByPidFile(pidFile());
    }

    @Override
    default Status status() {
        return Processes.statusOf(pidFile(), "stopped");
    }
}
