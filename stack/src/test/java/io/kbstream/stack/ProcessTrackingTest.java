package io.kbstream.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.StackOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for the pid files that make every process kb starts visible to {@code kb stack status} and
 * stoppable by {@code kb stack down}: {@link ForegroundProcess}, {@link Processes#track} and {@link
 * TrackedProcess}. The processes are real ({@code sleep}).
 */
class ProcessTrackingTest {

    @TempDir Path dataDir;

    private Process sleeper;

    @AfterEach
    void stopSleeper() throws InterruptedException {
        if (sleeper != null) {
            sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private KbConfig config() {
        return KbConfig.of(Map.of(StackOptions.DATA_DIR.key(), dataDir.toString()));
    }

    private Process sleep() throws Exception {
        sleeper = new ProcessBuilder("sleep", "60").start();
        return sleeper;
    }

    @Test
    void a_foreground_process_records_its_own_pid_where_the_background_one_would()
            throws Exception {
        ForegroundProcess.claim(config(), "api");

        Path pidFile = dataDir.resolve("run/api.pid");
        assertThat(Files.readString(pidFile).trim())
                .isEqualTo(Long.toString(ProcessHandle.current().pid()));
        assertThat(new TrackedProcess("api", dataDir.resolve("run")).status().running()).isTrue();
    }

    @Test
    void a_second_process_under_a_live_name_is_refused_with_a_fix() throws Exception {
        Path pidFile = dataDir.resolve("run/pipeline.pid");
        Files.createDirectories(pidFile.getParent());
        Files.writeString(pidFile, sleep().pid() + "\n");

        assertThatThrownBy(() -> ForegroundProcess.claim(config(), "pipeline"))
                .isInstanceOf(StackException.class)
                .hasMessageContaining("already runs (pid " + sleeper.pid());
        assertThat(Files.readString(pidFile).trim()).isEqualTo(Long.toString(sleeper.pid()));
    }

    @Test
    void a_tracked_process_shows_as_running_and_down_stops_it_and_forgets_it() throws Exception {
        Path runDir = dataDir.resolve("run");
        Processes.track(sleep(), runDir.resolve("bench-api.pid"));
        TrackedProcess tracked = new TrackedProcess("bench-api", runDir);

        assertThat(tracked.status().detail()).isEqualTo("running, pid " + sleeper.pid());
        tracked.down();

        assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(tracked.status().running()).isFalse();
        assertThat(runDir.resolve("bench-api.pid")).doesNotExist();
    }

    @Test
    void a_tracked_process_that_ends_removes_its_pid_file() throws Exception {
        Path pidFile = dataDir.resolve("run/short.pid");
        Process quick = new ProcessBuilder("true").start();
        Processes.track(quick, pidFile);

        quick.waitFor(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(pidFile) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        assertThat(pidFile).doesNotExist();
    }
}
