package io.kbstream.stack;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A kb-stream application process — the indexing pipeline or the API — as a {@code kb} subcommand
 * in its own JVM, tracked by a pid file under {@code .kb/run/} and stopped by {@code kb stack
 * down}. {@link #up()} starts it in the background from the CLI jar ({@code cli/target/kb-cli.jar},
 * built by {@code ./kb}); run in the foreground ({@code ./kb api}) it records itself in the same
 * pid file ({@link ForegroundProcess}). It is ready when its port answers.
 */
public final class AppProcess implements StackService {

    private final String name;
    private final int port;
    private final Path runDir;
    private final Path home;
    private final List<String> jvmOptions;
    private final List<String> kbArgs;

    public AppProcess(
            String name,
            int port,
            Path runDir,
            Path home,
            List<String> jvmOptions,
            List<String> kbArgs) {
        this.name = name;
        this.port = port;
        this.runDir = runDir;
        this.home = home;
        this.jvmOptions = jvmOptions;
        this.kbArgs = kbArgs;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public Path logFile() {
        return runDir.resolve(name + ".log");
    }

    private Path pidFile() {
        return runDir.resolve(name + ".pid");
    }

    @Override
    public void up() {
        if (Processes.liveProcess(pidFile()).isPresent()) {
            return;
        }
        Processes.requirePortFree(name, port);
        Path cliJar = home.resolve("cli").resolve("target").resolve("kb-cli.jar");
        if (!java.nio.file.Files.isRegularFile(cliJar)) {
            throw new StackException(
                    "cannot start " + name + ": no CLI jar at " + cliJar,
                    "build it: ./kb help (or mvn -q install -DskipTests)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dkb.home=" + home);
        // the same --add-opens the kb script gave this JVM (Flink needs them on Java 17)
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(arg -> arg.startsWith("--add-opens"))
                .forEach(command::add);
        command.addAll(jvmOptions);
        // a stop during inference can crash ONNX Runtime's native exit path: keep its report here
        command.add("-XX:ErrorFile=" + runDir.resolve("hs_err_%p.log"));
        command.add("-jar");
        command.add(cliJar.toString());
        command.addAll(kbArgs);
        try {
            Processes.startDetached(command, home, logFile(), pidFile());
        } catch (IOException e) {
            throw new StackException(
                    "cannot start " + name + ": " + e.getMessage(), "see " + logFile(), e);
        }
        Processes.waitFor(
                name,
                Duration.ofSeconds(180),
                () -> {
                    if (Processes.liveProcess(pidFile()).isEmpty()) {
                        throw new StackException(
                                name + " exited while starting", "see " + logFile());
                    }
                    return Processes.portOpen(port);
                },
                logFile());
    }

    @Override
    public void down() {
        Processes.stopByPidFile(pidFile(), Duration.ofSeconds(30));
    }

    /** Its process id while it runs (the soak samples its heap and open files). */
    public java.util.OptionalLong pid() {
        return Processes.liveProcess(pidFile())
                .map(p -> java.util.OptionalLong.of(p.pid()))
                .orElse(java.util.OptionalLong.empty());
    }

    @Override
    public void kill() {
        Processes.killByPidFile(pidFile());
    }

    @Override
    public Status status() {
        return Processes.statusOf(pidFile(), "not running");
    }
}
