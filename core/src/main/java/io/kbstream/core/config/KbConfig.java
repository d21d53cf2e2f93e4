package io.kbstream.core.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The one configuration of CLI, jobs and API. Layers, later wins: option defaults, {@code
 * kb.properties} at the project home, {@code .kb/secrets.properties} (written by {@code kb stack
 * up}), the file named by {@code KB_CONFIG}, environment variables ({@code KB_EMBEDDING_BATCH_SIZE}
 * for {@code kb.embedding.batch-size}), then explicit overrides (JVM {@code -Dkb.*} or job args).
 */
public final class KbConfig implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** Where the project lives; {@code .kb/} under it holds the local stack's data. */
    public static final String HOME_PROPERTY = "kb.home";

    private final Map<String, String> values;

    private KbConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** Only defaults plus the given values; for tests and embedded use. */
    public static KbConfig of(Map<String, String> values) {
        return new KbConfig(values);
    }

    /** Loads every layer for the project at {@link #home()}. */
    public static KbConfig load() {
        return load(Map.of());
    }

    /** Loads every layer, then applies {@code overrides} (e.g. parsed from job arguments). */
    public static KbConfig load(Map<String, String> overrides) {
        Path home = home();
        Map<String, String> merged = new LinkedHashMap<>();
        readInto(merged, home.resolve("kb.properties"));
        readInto(merged, home.resolve(".kb").resolve("secrets.properties"));
        String extra = System.getenv("KB_CONFIG");
        if (extra != null && !extra.isBlank()) {
            Path file = Path.of(extra);
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException(
                        "KB_CONFIG names a file that cannot be read: " + file);
            }
            readInto(merged, file);
        }
        for (ConfigOption<?> option : KbOptions.all()) {
            String env = System.getenv(option.envName());
            if (env != null) {
                merged.put(option.key(), env);
            }
        }
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("kb.") && !k.equals(HOME_PROPERTY))
                .forEach(k -> merged.put(k, System.getProperty(k)));
        merged.putAll(overrides);
        return new KbConfig(merged);
    }

    /** The project home: {@code -Dkb.home}, {@code KB_HOME}, or the working directory. */
    public static Path home() {
        String prop = System.getProperty(HOME_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        String env = System.getenv("KB_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        return Path.of("").toAbsolutePath();
    }

    /** The value of {@code option}: set explicitly, or its (possibly derived) default. */
    public <T> T get(ConfigOption<T> option) {
        String raw = values.get(option.key());
        return raw == null ? option.defaultFor(this) : option.parse(raw);
    }

    /** A copy with one more value set. */
    public KbConfig with(ConfigOption<?> option, String value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(option.key(), value);
        return new KbConfig(copy);
    }

    /** The explicitly set values, e.g. to pass to a job as arguments. */
    public Map<String, String> explicitValues() {
        return values;
    }

    /** Every option with its effective value; secrets masked. Safe to log. */
    public Map<String, String> describe() {
        Map<String, String> out = new TreeMap<>();
        for (ConfigOption<?> option : KbOptions.all()) {
            Object value = get(option);
            out.put(
                    option.key(),
                    option.isSecret() && value != null ? "******" : String.valueOf(value));
        }
        return out;
    }

    @Override
    public String toString() {
        return "KbConfig" + describe();
    }

    private static void readInto(Map<String, String> target, Path file) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config file " + file, e);
        }
        props.stringPropertyNames().forEach(k -> target.put(k, props.getProperty(k)));
    }
}
