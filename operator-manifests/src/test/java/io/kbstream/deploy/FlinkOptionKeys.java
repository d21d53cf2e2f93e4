package io.kbstream.deploy;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;

/**
 * Every configuration key Flink and its autoscaler declare: the {@link ConfigOption} constants of
 * Flink's {@code *Options} classes (flink-core, RocksDB, streaming) and of flink-autoscaler's
 * {@code AutoScalerOptions}, read by reflection; metric reporters' options; the operator's keys the
 * manifests use. Deprecated and fallback keys are kept apart so a test can insist on the current
 * names.
 */
final class FlinkOptionKeys {

    private static final List<String> EXTRA_CLASSES =
            List.of(
                    "org.apache.flink.autoscaler.config.AutoScalerOptions",
                    "org.apache.flink.contrib.streaming.state.RocksDBOptions",
                    "org.apache.flink.contrib.streaming.state.RocksDBConfigurableOptions",
                    "org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions");

    /**
     * Keys of the operator's own configuration ({@code KubernetesOperatorConfigOptions}, in the
     * operator's jar, which Maven Central does not serve here): the ones the manifests use, as
     * release-1.10.0 of apache/flink-kubernetes-operator declares them.
     */
    private static final Set<String> OPERATOR_KEYS =
            Set.of(
                    "kubernetes.operator.periodic.savepoint.interval",
                    "kubernetes.operator.savepoint.history.max.count",
                    "kubernetes.operator.savepoint.history.max.age");

    /** {@code metrics.reporter.<name>.<option>}: a reporter's options, named per reporter. */
    private static final String REPORTER_PREFIX = "metrics.reporter.";

    private final Set<String> current = new TreeSet<>();
    private final Set<String> deprecated = new TreeSet<>();
    private final Set<String> reporterOptions = new TreeSet<>();

    private FlinkOptionKeys() {}

    static FlinkOptionKeys load() throws IOException, ReflectiveOperationException {
        FlinkOptionKeys keys = new FlinkOptionKeys();
        for (String name : coreOptionClasses()) {
            keys.addFields(Class.forName(name));
        }
        for (String name : EXTRA_CLASSES) {
            keys.addFields(Class.forName(name));
        }
        keys.current.addAll(OPERATOR_KEYS);
        // generic reporter options (factory.class, interval, ...), then the Prometheus reporter's
        // own: its port, which its factory reads by this name
        for (Field field : MetricOptions.class.getFields()) {
            if (field.getName().startsWith("REPORTER_")
                    && ConfigOption.class.isAssignableFrom(field.getType())) {
                keys.reporterOptions.add(((ConfigOption<?>) field.get(null)).key());
            }
        }
        Field port = PrometheusReporterFactory.class.getDeclaredField("ARG_PORT");
        port.setAccessible(true);
        keys.reporterOptions.add((String) port.get(null));
        return keys;
    }

    /** Classes named {@code *Options} in org.apache.flink.configuration of flink-core's jar. */
    private static List<String> coreOptionClasses() throws IOException {
        Path jar;
        try {
            jar =
                    Path.of(
                            ConfigOption.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            return Collections.list(file.entries()).stream()
                    .map(e -> e.getName())
                    .filter(n -> n.startsWith("org/apache/flink/configuration/"))
                    .filter(n -> n.endsWith("Options.class"))
                    .filter(n -> n.indexOf('/', "org/apache/flink/configuration/".length()) < 0)
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .toList();
        }
    }

    private void addFields(Class<?> type) throws IllegalAccessException {
        for (Field field : type.getFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && ConfigOption.class.isAssignableFrom(field.getType())) {
                ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                (field.isAnnotationPresent(Deprecated.class) ? deprecated : current)
                        .add(option.key());
                for (FallbackKey fallback : option.fallbackKeys()) {
                    deprecated.add(fallback.getKey());
                }
            }
        }
    }

    /** True if some Flink, autoscaler or operator option has this key (current or deprecated). */
    boolean known(String key) {
        if (key.startsWith(REPORTER_PREFIX)) {
            String rest = key.substring(REPORTER_PREFIX.length());
            int dot = rest.indexOf('.');
            return dot > 0 && reporterOptions.contains(rest.substring(dot + 1));
        }
        return current.contains(key) || deprecated.contains(key);
    }

    /** True if the key is only known as a deprecated or fallback name. */
    boolean onlyDeprecated(String key) {
        return !current.contains(key) && deprecated.contains(key);
    }

    int size() {
        return current.size();
    }
}
