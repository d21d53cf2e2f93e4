package io.kbstream.stack;

import io.kbstream.core.config.KbConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * This JVM as one of the stack's application processes ({@code pipeline}, {@code api}), whether the
 * user runs it in the foreground ({@code ./kb api}) or {@link AppProcess} started it in the
 * background: its pid goes into the same pid file under {@code <data-dir>/run/}, so {@code kb stack
 * status} shows it and {@code kb stack down} stops it (SIGTERM, which runs this JVM's shutdown
 * hooks). The file is removed when this JVM exits, if it still names this JVM.
 */
public final class ForegroundProcess {

    private ForegroundProcess() {}

    /**
     * Records this JVM as {@code name}; fails with a fix when another live process holds the name.
     */
    public static void claim(KbConfig config, String name) {
        Path pidFile = LocalStack.runDir(config).resolve(name + ".pid");
        long self = ProcessHandle.current().pid();
        Optional<ProcessHandle> holder = Processes.liveProcess(pidFile);
        if (holder.isPresent() && holder.get().pid() != self) {
            throw new StackException(
                    name + " already runs (pid " + holder.get().pid() + ", " + pidFile + ")",
                    "stop it first: ./kb stack down (or use the one that runs)");
        }
        try {
            Files.createDirectories(pidFile.getParent());
            Files.writeString(pidFile, self + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StackException(
                    "cannot write " + pidFile + ": " + e.getMessage(), "check the disk", e);
        }
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    if (Processes.readPid(pidFile).orElse(-1) == self) {
                                        try {
                                            Files.deleteIfExists(pidFile);
                                        } catch (IOException ignored) {
                                            // a stale file names a dead pid: status shows it DOWN
                                        }
                                    }
                                },
                                "kb-" + name + "-pid-file"));
    }
}
