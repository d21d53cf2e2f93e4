package io.kbstream.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A leak probe of one JVM: heap in use right after a full GC ({@code jcmd GC.run}, then {@code
 * jstat -gc}) and its open file descriptors ({@code /proc/<pid>/fd}).
 */
public record ProcessSample(long pid, double heapMbAfterGc, int openFiles) {

    /** Samples {@code pid}; -1 for what could not be read. */
    public static ProcessSample of(long pid) {
        run("jcmd", Long.toString(pid), "GC.run");
        return new ProcessSample(pid, heapAfterGc(pid), openFiles(pid));
    }

    private static double heapAfterGc(long pid) {
        // jstat -gc columns: S0C S1C S0U S1U EC EU OC OU ...; used heap = S0U + S1U + EU + OU
        List<String> lines = run("jstat", "-gc", Long.toString(pid));
        if (lines.size() < 2) {
            return -1;
        }
        String[] header = lines.get(0).trim().split("\\s+");
        String[] values = lines.get(1).trim().split("\\s+");
        double kb = 0;
        for (int i = 0; i < header.length && i < values.length; i++) {
            if (List.of("S0U", "S1U", "EU", "OU").contains(header[i])) {
                kb += Double.parseDouble(values[i]);
            }
        }
        return Math.round(kb / 1024 * 10) / 10.0;
    }

    private static int openFiles(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static List<String> run(String... command) {
        try {
            Path java = Path.of(System.getProperty("java.home"), "bin", command[0]);
            command[0] = java.toString();
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            process.waitFor(60, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
