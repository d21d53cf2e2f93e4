package io.kbstream.benchmark.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * What a server JVM did in a window of a Java Flight Recorder file, per request: its CPU samples
 * (threads running Java) by component, the first frame outside the JDK saying whose code ran; its
 * native samples (threads in native code: ONNX inference, blocking socket reads) and its parks
 * (waiting on a future, a lock or a pool), both counted only on the threads that serve requests
 * (the HTTP server's and the shard-call pool's) inside request code (a stack with a frame of ours),
 * so idle selectors, background consumers and idle pool threads do not count; the time spent in
 * blocking socket reads by peer (Redis, a shard, Kafka: every read recorded, threshold 0); and GC
 * pauses. JFR ships with the JDK and samples without safepoint bias, so the profile needs no agent.
 */
final class JfrProfile {

    /** Sampling every millisecond: a warm search takes about that long. */
    static final Duration SAMPLE_PERIOD = Duration.ofMillis(1);

    /** Package prefixes → the component a sample is charged to; the first match wins. */
    private static final Map<String, String> COMPONENTS = new LinkedHashMap<>();

    static {
        COMPONENTS.put("redis.clients.", "redis client (Jedis)");
        COMPONENTS.put("org.postgresql.", "postgres client (JDBC)");
        COMPONENTS.put("com.zaxxer.hikari.", "postgres client (JDBC)");
        COMPONENTS.put("ai.djl.", "query embedding (DJL/ONNX)");
        COMPONENTS.put("ai.onnxruntime.", "query embedding (DJL/ONNX)");
        COMPONENTS.put("io.micrometer.", "metrics (Micrometer)");
        COMPONENTS.put("com.fasterxml.jackson.", "JSON (Jackson)");
        COMPONENTS.put("com.github.benmanes.caffeine.", "in-process cache (Caffeine)");
        COMPONENTS.put("io.javalin.", "HTTP server (Jetty/Javalin)");
        COMPONENTS.put("org.eclipse.jetty.", "HTTP server (Jetty/Javalin)");
        COMPONENTS.put("com.sun.net.httpserver.", "HTTP server (JDK)");
        COMPONENTS.put("sun.net.httpserver.", "HTTP server (JDK)");
        COMPONENTS.put("org.apache.kafka.", "Kafka client");
        COMPONENTS.put("org.apache.commons.pool2.", "Redis connection pool (commons-pool2)");
        COMPONENTS.put("io.kbstream.", "kb-stream code");
    }

    private static final String JDK_ONLY = "JDK only (no library frame)";

    /** Our code: a stack holding one of its frames is request work, not an idle thread. */
    private static final String OURS = "io.kbstream.";

    /**
     * The threads that serve searches: Javalin's Jetty pool (both designs) and the API's shard-call
     * pool ({@code kb-search-N}, BoundedPools); Jetty's default pool name for completeness.
     */
    private static final List<String> REQUEST_THREADS =
            List.of("JettyServerThreadPool", "qtp", "kb-search");

    /** Remote ports from here up are clients' (Linux's ephemeral range starts at 32768). */
    private static final int EPHEMERAL_PORTS = 32768;

    private JfrProfile() {}

    /** Profile settings: the JDK's {@code profile.jfc}, sampling faster, every socket read kept. */
    static Path writeSettings(Path dir) throws IOException {
        Path jdk = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
        String jfc = Files.readString(jdk);
        jfc = setting(jfc, "jdk.ExecutionSample", "period", SAMPLE_PERIOD.toMillis() + " ms");
        jfc = setting(jfc, "jdk.NativeMethodSample", "period", SAMPLE_PERIOD.toMillis() + " ms");
        jfc = setting(jfc, "jdk.SocketRead", "threshold", "0 ms");
        jfc = setting(jfc, "jdk.ThreadPark", "threshold", "0 ms");
        Path out = dir.resolve("kb-search-profile.jfc");
        Files.writeString(out, jfc);
        return out;
    }

    /** {@code jfc} with the value of {@code name} inside the {@code <event name=event>} element. */
    static String setting(String jfc, String event, String name, String value) {
        Pattern p =
                Pattern.compile(
                        "(<event name=\""
                                + Pattern.quote(event)
                                + "\">.*?<setting name=\""
                                + Pattern.quote(name)
                                + "\"[^>]*>)([^<]*)(<)",
                        Pattern.DOTALL);
        Matcher m = p.matcher(jfc);
        if (!m.find()) {
            throw new IllegalStateException("no setting " + name + " of " + event + " in the jfc");
        }
        return jfc.substring(0, m.start(2)) + value + jfc.substring(m.end(2));
    }

    /** The events of a recording file, read once for all of its windows. */
    static List<RecordedEvent> events(Path jfr) throws IOException {
        return RecordingFile.readAllEvents(jfr);
    }

    /**
     * The recording's events from {@code from} to {@code to}, per request of the {@code requests}
     * answered then; {@code peers} names the servers by port.
     */
    static Map<String, Object> window(
            List<RecordedEvent> events,
            Instant from,
            Instant to,
            long requests,
            Map<Integer, String> peers) {
        Map<String, Integer> byComponent = new HashMap<>();
        Map<String, Integer> byMethod = new HashMap<>();
        Map<String, Integer> byThread = new HashMap<>();
        Map<String, Integer> nativeByComponent = new HashMap<>();
        Map<String, Double> parkedMs = new HashMap<>();
        Map<String, double[]> reads = new HashMap<>(); // peer → {count, ms}
        int samples = 0;
        int nativeSamples = 0;
        double gcPauseMs = 0;
        int gcs = 0;
        for (RecordedEvent e : events) {
            if (e.getStartTime().isBefore(from) || e.getStartTime().isAfter(to)) {
                continue;
            }
            switch (e.getEventType().getName()) {
                case "jdk.ExecutionSample" -> {
                    samples++;
                    String thread = threadGroup(e.getThread("sampledThread").getJavaName());
                    byThread.merge(thread, 1, Integer::sum);
                    RecordedFrame first = firstLibraryFrame(e.getStackTrace());
                    byComponent.merge(component(first), 1, Integer::sum);
                    if (first != null) {
                        byMethod.merge(
                                first.getMethod().getType().getName()
                                        + "."
                                        + first.getMethod().getName(),
                                1,
                                Integer::sum);
                    }
                }
                case "jdk.NativeMethodSample" -> {
                    if (servesRequests(e.getThread("sampledThread"))
                            && inRequestCode(e.getStackTrace())) {
                        nativeSamples++;
                        nativeByComponent.merge(
                                component(firstLibraryFrame(e.getStackTrace())), 1, Integer::sum);
                    }
                }
                case "jdk.ThreadPark" -> {
                    if (servesRequests(e.getThread()) && inRequestCode(e.getStackTrace())) {
                        parkedMs.merge(
                                component(firstLibraryFrame(e.getStackTrace())),
                                e.getDuration().toNanos() / 1e6,
                                Double::sum);
                    }
                }
                case "jdk.SocketRead" -> {
                    String peer = peer(e.getInt("port"), peers);
                    double[] r = reads.computeIfAbsent(peer, k -> new double[2]);
                    r[0]++;
                    r[1] += e.getDuration().toNanos() / 1e6;
                }
                case "jdk.GarbageCollection" -> {
                    gcs++;
                    gcPauseMs += e.getDuration("sumOfPauses").toNanos() / 1e6;
                }
                default -> {
                    // not part of this profile
                }
            }
        }
        double per = Math.max(1, requests);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", requests);
        m.put("cpuSamples", samples);
        m.put("samplePeriodMs", SAMPLE_PERIOD.toMillis());
        m.put("cpuMsPerRequest", round(samples * SAMPLE_PERIOD.toMillis() / per));
        m.put("cpuMsPerRequestByComponent", perRequest(byComponent, per, 12));
        m.put("cpuMsPerRequestByThread", perRequest(byThread, per, 8));
        m.put("topMethods", perRequest(byMethod, per, 12));
        m.put(
                "nativeMsPerRequestInRequestCode",
                round(nativeSamples * SAMPLE_PERIOD.toMillis() / per));
        m.put("nativeMsPerRequestByComponent", perRequest(nativeByComponent, per, 8));
        Map<String, Object> parked = new LinkedHashMap<>();
        parkedMs.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(en -> parked.put(en.getKey(), round(en.getValue() / per)));
        m.put("parkedMsPerRequestInRequestCode", parked);
        Map<String, Object> waits = new LinkedHashMap<>();
        reads.entrySet().stream()
                .sorted(Comparator.comparingDouble(en -> -en.getValue()[1]))
                .forEach(
                        en -> {
                            Map<String, Object> r = new LinkedHashMap<>();
                            r.put("readsPerRequest", round(en.getValue()[0] / per));
                            r.put("msPerRequest", round(en.getValue()[1] / per));
                            waits.put(en.getKey(), r);
                        });
        m.put("socketReadsByPeer", waits);
        m.put("gcCount", gcs);
        m.put("gcPauseMsPerRequest", round(gcPauseMs / per));
        return m;
    }

    private static String peer(int port, Map<Integer, String> peers) {
        String known = peers.get(port);
        if (known != null) {
            return known;
        }
        return port >= EPHEMERAL_PORTS
                ? "clients of this server (ephemeral ports)"
                : "port " + port;
    }

    static boolean servesRequests(RecordedThread thread) {
        String name = thread == null ? null : thread.getJavaName();
        return name != null && REQUEST_THREADS.stream().anyMatch(name::startsWith);
    }

    private static boolean inRequestCode(RecordedStackTrace stack) {
        return stack != null
                && stack.getFrames().stream()
                        .anyMatch(f -> f.getMethod().getType().getName().startsWith(OURS));
    }

    private static RecordedFrame firstLibraryFrame(RecordedStackTrace stack) {
        if (stack == null) {
            return null;
        }
        for (RecordedFrame f : stack.getFrames()) {
            String type = f.getMethod().getType().getName();
            if (!(type.startsWith("java.")
                            || type.startsWith("javax.")
                            || type.startsWith("jdk.")
                            || type.startsWith("sun."))
                    || component(type) != null) {
                return f;
            }
        }
        return null;
    }

    private static String component(RecordedFrame frame) {
        if (frame == null) {
            return JDK_ONLY;
        }
        String c = component(frame.getMethod().getType().getName());
        return c != null
                ? c
                : "other library: " + topPackage(frame.getMethod().getType().getName());
    }

    private static String component(String type) {
        for (Map.Entry<String, String> c : COMPONENTS.entrySet()) {
            if (type.startsWith(c.getKey())) {
                return c.getValue();
            }
        }
        return null;
    }

    private static String topPackage(String type) {
        String[] parts = type.split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] : type;
    }

    /** A thread's name without its numbers: one pool, one line. */
    static String threadGroup(String name) {
        return name == null ? "unknown" : name.replaceAll("[0-9]+", "N");
    }

    private static Map<String, Object> perRequest(
            Map<String, Integer> counts, double per, int top) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        for (Map.Entry<String, Integer> e : sorted.subList(0, Math.min(top, sorted.size()))) {
            m.put(e.getKey(), round(e.getValue() * SAMPLE_PERIOD.toMillis() / per));
        }
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
