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

/**
 * Every configuration key Flink and its autoscaler declare: the {@link ConfigOption} constants of
 * Flink's {@code *Options} classes (flink-core, RocksDB, streaming) and of flink-autoscaler's
 * {@code AutoScalerOptions}, read by reflection. Deprecated and fallback keys are kept apart so a
 * test can insist on the current names.
 */
final class FlinkOptionKeys {

    private static final List<String> EXTRA_CLASSES =
            List.of(
                    "org.apache.flink.autoscaler.config.AutoScalerOptions",
                    "org.apache.flink.contrib.streaming.state.RocksDBOptions",
                    "org.apache.flink.contrib.streaming.state.RocksDBConfigurableOptions",
                    "org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions");

    private final Set<String> current = new TreeSet<>();
    private final Set<String> deprecated = new TreeSet<>();

    private FlinkOptionKeys() {}

    static FlinkOptionKeys load() throws IOException, ReflectiveOperationException {
        FlinkOptionKeys keys = new FlinkOptionKeys();
        for (String name : coreOptionClasses()) {
            keys.addFields(Class.forName(name));
        }
        for (String name : EXTRA_CLASSES) {
            keys.addFields(Class.forName(name));
        }
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

    /** True if some Flink or autoscaler option has this key (current or deprecated). */
    boolean known(String key) {
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
