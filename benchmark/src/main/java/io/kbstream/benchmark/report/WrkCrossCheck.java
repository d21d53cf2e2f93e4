package io.kbstream.benchmark.report;

import io.kbstream.benchmark.load.LoadGenerator;
import io.kbstream.benchmark.load.Target;
import io.kbstream.core.config.KbConfig;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The same endpoints measured by {@code wrk} (Debian package, C, closed loop): {@code /health/live}
 * and the cached Zipf search mix, so a skeptic can compare the JVM generator's figures with an
 * external one's from the same run. Skipped, and said so in the JSON, where wrk is not installed.
 */
final class WrkCrossCheck {

    static final int THREADS = 2;
    static final int CONNECTIONS = 64;

    private WrkCrossCheck() {}

    static Map<String, Object> run(LoadGenerator load, Target target, Duration length)
            throws IOException, InterruptedException {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!installed()) {
            m.put("skipped", "wrk is not installed (apt-get install wrk)");
            return m;
        }
        m.put("command", "wrk -t" + THREADS + " -c" + CONNECTIONS + " -d<s> --latency");
        m.put("live", wrk(target.base() + "/health/live", null, null, length));
        Path paths = Files.createTempFile("kb-bench-zipf", ".txt");
        try {
            List<String> lines = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(11);
            for (int i = 0; i < 20_000; i++) {
                String q = load.workload().queries().get(load.zipf().next(random));
                lines.add("/v1/search?k=10&q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
            }
            Files.write(paths, lines);
            Path script = KbConfig.home().resolve("benchmark/wrk/zipf-search.lua");
            m.put(
                    "cachedSearchZipf",
                    wrk(
                            target.base().toString(),
                            script,
                            Map.of("PATHS", paths.toString(), "KB_KEY", target.searchKey()),
                            length));
        } finally {
            Files.deleteIfExists(paths);
        }
        return m;
    }

    private static boolean installed() {
        try {
            return new ProcessBuilder("wrk", "--version").start().waitFor() >= 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static Map<String, Object> wrk(
            String url, Path script, Map<String, String> env, Duration length)
            throws IOException, InterruptedException {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "wrk",
                                "-t" + THREADS,
                                "-c" + CONNECTIONS,
                                "-d" + Math.max(1, length.toSeconds()) + "s",
                                "--latency"));
        if (script != null) {
            cmd.add("-s");
            cmd.add(script.toString());
        }
        cmd.add(url);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (env != null) {
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return parse(out);
    }

    /** Requests/s, latency percentiles (ms) and errors from wrk's text output. */
    static Map<String, Object> parse(String out) {
        Map<String, Object> m = new LinkedHashMap<>();
        Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        m.put("requestsPerSecond", rps.find() ? Double.parseDouble(rps.group(1)) : null);
        for (String p : List.of("50", "90", "99")) {
            Matcher l = Pattern.compile("\\s" + p + "%\\s+([0-9.]+)(us|ms|s)\\b").matcher(out);
            m.put(
                    "p" + p + "Ms",
                    l.find() ? millis(Double.parseDouble(l.group(1)), l.group(2)) : null);
        }
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)").matcher(out);
        m.put("non2xx", non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0L);
        Matcher errors = Pattern.compile("Socket errors:([^\\n]*)").matcher(out);
        m.put("socketErrors", errors.find() ? errors.group(1).trim() : "none");
        m.put("statusErrorsPrinted", out.lines().filter(l -> l.startsWith("status ")).count());
        return m;
    }

    private static double millis(double v, String unit) {
        return switch (unit) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }
}
