package io.kbstream.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for {@link CpuPriority} on a real child JVM, which, like the pipeline, has many threads.
 */
class CpuPriorityTest {

    @Test
    void every_thread_of_a_running_jvm_gets_the_nice_value(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("Sleeper.java");
        Files.writeString(
                source,
                "class Sleeper { public static void main(String[] a) throws Exception {"
                        + " System.out.println(\"up\"); System.out.flush(); Thread.sleep(60_000);"
                        + " } }");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "-Xmx32m", source.toString()).start();
        try {
            // "up" once main runs: the JVM's own threads (GC, JIT, ...) exist by then
            assertThat(new String(child.getInputStream().readNBytes(2))).isEqualTo("up");

            String what = CpuPriority.set(child.pid(), 7);

            assertThat(what).contains("of process " + child.pid() + " at nice 7");
            assertThat(CpuPriority.niceOfThreads(child.pid()))
                    .hasSizeGreaterThan(5)
                    .containsOnly(7);
        } finally {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
