package io.kbstream.stack;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Process, pid-file and port helpers shared by the stack's services. */
public final class Processes {

    private Processes() {}

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The pid in the first line of a pid file, if the file exists and parses. */
    static OptionalLong readPid(Path pidFile) {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return OptionalLong.empty();
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty()
                    ? OptionalLong.empty()
                    : OptionalLong.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The live process named by a pid file, if it is still running. */
    static Optional<ProcessHandle> liveProcess(Path pidFile) {
        OptionalLong pid = readPid(pidFile);
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive);
    }

    /**
     * Stops the process named by a pid file, if it runs: SIGTERM, then SIGKILL after {@code grace}.
     */
    static void stopByPidFile(Path pidFile, Duration grace) {
        liveProcess(pidFile).ifPresent(p -> terminate(p, grace));
    }

    /**
     * Kills the process named by a pid file and every process it started with SIGKILL, and waits
     * until they are gone (a restarted Postgres refuses to start while old backends linger). Fails
     * when the pid file names no live process: a crash injected into nothing must not pass for one.
     */
    static void killByPidFile(Path pidFile) {
        ProcessHandle process =
                liveProcess(pidFile)
                        .orElseThrow(
                                () ->
                                        new StackException(
                                                "nothing to kill: no live process is named by "
                                                        + pidFile,
                                                "start the service first (./kb stack up)"));
        List<ProcessHandle> family = new ArrayList<>();
        family.add(process);
        process.descendants().forEach(family::add);
        family.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : family) {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new StackException(
                        "pid " + p.pid() + " survived SIGKILL",
                        "check it with ps and stop it by hand",
                        e);
            }
        }
    }

    /** Removes a pid file (its process has ended or was never ours). */
    static void forget(Path pidFile) {
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new StackException(
                    "cannot remove " + pidFile + ": " + e.getMessage(), "check permissions", e);
        }
    }

    /**
     * Records a process kb started itself (not detached) in {@code pidFile}, so {@code kb stack
     * status} shows it and {@code kb stack down} stops it even if the starter dies; the file goes
     * when the process ends.
     */
    public static void track(Process process, Path pidFile) throws IOException {
        Files.createDirectories(pidFile.getParent());
        Files.writeString(pidFile, process.pid() + "\n", StandardCharsets.UTF_8);
        process.onExit().thenRun(() -> forgetIfNamed(pidFile, process.pid()));
    }

    private static void forgetIfNamed(Path pidFile, long pid) {
        if (readPid(pidFile).orElse(-1) == pid) {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // a stale file names a dead pid: status shows it as not running
            }
        }
    }

    /** Running with its pid, or {@code stoppedWord}. */
    static StackService.Status statusOf(Path pidFile, String stoppedWord) {
        return liveProcess(pidFile)
                .map(p -> new StackService.Status(true, "running, pid " + p.pid()))
                .orElseGet(() -> new StackService.Status(false, stoppedWord));
    }

    /**
     * Starts a long-running process detached from us: its own session (setsid, so a later Ctrl-C in
     * the terminal does not reach it), no stdin, output appended to {@code log}, pid recorded in
     * {@code pidFile}. It outlives this JVM.
     */
    static void startDetached(List<String> command, Path workDir, Path log, Path pidFile)
            throws IOException {
        startDetached(command, Map.of(), workDir, log, pidFile);
    }

    /** As above, with extra environment variables (secrets go there, never on the command line). */
    static void startDetached(
            List<String> command,
            Map<String, String> environment,
            Path workDir,
            Path log,
            Path pidFile)
            throws IOException {
        List<String> detached = new ArrayList<>();
        detached.add("setsid");
        detached.addAll(command);
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(detached);
        withoutLibpqSettings(builder.environment());
        builder.environment().putAll(environment);
        Process process =
                builder.directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
        Files.writeString(pidFile, process.pid() + "\n", StandardCharsets.UTF_8);
    }

    static boolean portOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Fails with a clear fix when something we did not start holds the port. */
    static void requirePortFree(String service, int port) {
        if (portOpen(port)) {
            throw new StackException(
                    "port "
                            + port
                            + " (for "
                            + service
                            + ") is in use by a process kb did not start",
                    "stop that process, or move the whole stack with another port base:"
                            + " KB_STACK_PORT_BASE=26400 ./kb stack up (or kb.stack.port-base in"
                            + " kb.properties)");
        }
    }

    static void waitFor(String what, Duration timeout, BooleanSupplier condition, Path logHint) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            sleep(200);
        }
        throw new StackException(
                what + " did not become ready within " + timeout.toSeconds() + " s",
                logHint == null ? "run ./kb stack status" : "see its log: " + logHint);
    }

    /** Sends SIGTERM, waits, then SIGKILL: used only on processes named by our own pid files. */
    static void terminate(ProcessHandle process, Duration grace) {
        process.destroy();
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by the caller's status check
            }
        }
    }

    /**
     * Drops the caller's libpq settings (PGPASSWORD, PGUSER, PGHOST, PGDATA, ...) from a child's
     * environment: they override what the stack passes (a PGPASSWORD for another server beats the
     * replicas' passfile), so its servers and tools must see only the stack's own settings.
     */
    static void withoutLibpqSettings(Map<String, String> environment) {
        environment.keySet().removeIf(name -> name.startsWith("PG"));
    }

    /** Runs a short command to completion; its output goes to {@code log}. */
    static void run(List<String> command, Path log, Duration timeout) {
        try {
            Files.createDirectories(log.getParent());
            // run in the log's folder: the user it runs as (postgres) may not reach ours
            ProcessBuilder builder = new ProcessBuilder(command);
            withoutLibpqSettings(builder.environment());
            Process process =
                    builder.directory(log.getParent().toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                            .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new StackException(
                        "'" + command.get(0) + "' did not finish in " + timeout.toSeconds() + " s",
                        "see " + log);
            }
            if (process.exitValue() != 0) {
                throw new StackException(
                        "'"
                                + String.join(" ", redact(command))
                                + "' failed (exit "
                                + process.exitValue()
                                + ")",
                        "see " + log);
            }
        } catch (IOException e) {
            throw new StackException(
                    "cannot run " + command.get(0) + ": " + e.getMessage(),
                    "check it is installed (./kb runs scripts/install-prereqs.sh)",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while running " + command.get(0), "retry", e);
        }
    }

    /** Prefixes a command so it runs as the given user when we are root. */
    static List<String> asUser(String user, List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", user, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted", "retry", e);
        }
    }

    private static List<String> redact(List<String> command) {
        return command.stream().map(a -> a.contains("pass") ? "<redacted>" : a).toList();
    }
}
