package io.kbstream.stack;

import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.RedisOptions;
import io.kbstream.core.config.StackOptions;
import io.kbstream.deploy.Manifests;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian's Prometheus on 127.0.0.1, scraping the API, the pipeline and the exporters every few
 * seconds and evaluating the project's alert rules ({@link #RULES}, the file the manifests wrap as
 * their PrometheusRule and compose mounts). Its configuration is written anew at each start from
 * the stack's ports; its data (two days) lives under the stack's folder.
 */
final class PrometheusServer implements PidFileService {

    /** The alert rules, a classpath resource of operator-manifests (their one home). */
    static final String RULES = Manifests.ALERT_RULES;

    /** One scrape job: its name, targets (host:port) and the label each target carries. */
    record ScrapeJob(String name, String metricsPath, Map<String, Map<String, String>> targets) {}

    private final int port;
    private final Path dir;
    private final List<ScrapeJob> jobs;

    PrometheusServer(int port, Path dir, List<ScrapeJob> jobs) {
        this.port = port;
        this.dir = dir;
        this.jobs = List.copyOf(jobs);
    }

    /**
     * The exporters of a stack and the Prometheus that scrapes them, the API ({@code /metrics}) and
     * the pipeline ({@code kb.pipeline.metrics-port}), in start order.
     */
    static List<StackService> withExporters(KbConfig config, Path dir) {
        int next = config.get(StackOptions.EXPORTER_PORT_BASE);
        Exporter node = Exporter.node(next++, dir);
        Exporter redis =
                Exporter.redis(
                        next++,
                        dir,
                        config.get(RedisOptions.PORT),
                        config.get(RedisOptions.PASSWORD));
        List<StackService> services = new ArrayList<>(List.of(node, redis));
        Map<String, Map<String, String>> shards = new LinkedHashMap<>();
        int base = config.get(StackOptions.PORT_BASE);
        for (int i = 0; i < config.get(StackOptions.SHARD_COUNT); i++) {
            Exporter shard =
                    Exporter.postgres(
                            i,
                            next++,
                            dir,
                            "127.0.0.1:" + (base + i) + "/" + config.get(PostgresOptions.DATABASE),
                            config.get(PostgresOptions.USER),
                            config.get(PostgresOptions.PASSWORD));
            services.add(shard);
            shards.put(local(shard.port()), Map.of("shard", Integer.toString(i)));
        }
        services.add(
                new PrometheusServer(
                        config.get(StackOptions.PROMETHEUS_PORT),
                        dir,
                        List.of(
                                new ScrapeJob(
                                        "kb-api",
                                        "/metrics",
                                        Map.of(local(config.get(ApiOptions.PORT)), Map.of())),
                                new ScrapeJob(
                                        "kb-pipeline",
                                        "/metrics",
                                        Map.of(
                                                local(config.get(PipelineOptions.METRICS_PORT)),
                                                Map.of())),
                                new ScrapeJob(
                                        "node", "/metrics", Map.of(local(node.port()), Map.of())),
                                new ScrapeJob(
                                        "redis", "/metrics", Map.of(local(redis.port()), Map.of())),
                                new ScrapeJob("postgres", "/metrics", shards))));
        return services;
    }

    private static String local(int port) {
        return "127.0.0.1:" + port;
    }

    @Override
    public String name() {
        return "prometheus";
    }

    @Override
    public String endpoint() {
        return "http://" + local(port);
    }

    @Override
    public Path pidFile() {
        return dir.resolve("prometheus.pid");
    }

    @Override
    public void up() {
        if (Processes.liveProcess(pidFile()).isPresent()) {
            return;
        }
        Processes.requirePortFree(name(), port);
        Path config = dir.resolve("prometheus.yml");
        Path rules = dir.resolve("kb-alerts.yml");
        try {
            Files.createDirectories(dir);
            try (InputStream in =
                    PrometheusServer.class.getClassLoader().getResourceAsStream(RULES)) {
                if (in == null) {
                    throw new IOException(RULES + " is missing from the classpath");
                }
                Files.copy(in, rules, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(config, config(rules), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StackException(
                    "cannot write " + config + ": " + e.getMessage(), "check the disk", e);
        }
        Path log = dir.resolve("prometheus.log");
        try {
            Processes.startDetached(
                    List.of(
                            "prometheus",
                            "--config.file=" + config,
                            "--storage.tsdb.path=" + dir.resolve("data"),
                            "--storage.tsdb.retention.time=2d",
                            "--web.listen-address=127.0.0.1:" + port),
                    dir,
                    log,
                    pidFile());
        } catch (IOException e) {
            throw new StackException(
                    "cannot start prometheus: " + e.getMessage(),
                    "check that Debian's prometheus package is installed"
                            + " (scripts/install-prereqs.sh)",
                    e);
        }
        Processes.waitFor(name(), Duration.ofSeconds(30), this::ready, log);
    }

    /**
     * The configuration: scrapes and rule evaluation every 5 s (a local stack, so an alert's {@code
     * for} is what delays it, not the interval).
     */
    String config(Path rules) {
        List<String> lines = new ArrayList<>();
        lines.add("global:");
        lines.add("  scrape_interval: 5s");
        lines.add("  scrape_timeout: 4s");
        lines.add("  evaluation_interval: 5s");
        lines.add("rule_files:");
        lines.add("  - " + rules);
        lines.add("scrape_configs:");
        for (ScrapeJob job : jobs) {
            lines.add("  - job_name: " + job.name());
            lines.add("    metrics_path: " + job.metricsPath());
            lines.add("    static_configs:");
            job.targets()
                    .forEach(
                            (target, labels) -> {
                                lines.add("      - targets: ['" + target + "']");
                                if (!labels.isEmpty()) {
                                    lines.add("        labels:");
                                    labels.forEach(
                                            (k, v) ->
                                                    lines.add("          " + k + ": '" + v + "'"));
                                }
                            });
        }
        return String.join("\n", lines) + "\n";
    }

    private boolean ready() {
        try {
            HttpURLConnection c =
                    (HttpURLConnection)
                            URI.create(endpoint() + "/-/ready").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(1000);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Duration stopTimeout() {
        return Duration.ofSeconds(15);
    }
}
