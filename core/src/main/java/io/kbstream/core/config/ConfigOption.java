package io.kbstream.core.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One typed setting: its key, how its text is parsed, its default and what it means. All options
 * are declared once, in {@link KbOptions}; code reads them through {@link KbConfig#get}.
 *
 * @param <T> the value type
 */
public final class ConfigOption<T> {

    private final String key;
    private final Function<String, T> parser;
    private final Function<KbConfig, T> defaultValue;
    private final String description;
    private final boolean secret;

    private ConfigOption(
            String key,
            Function<String, T> parser,
            Function<KbConfig, T> defaultValue,
            String description,
            boolean secret) {
        this.key = key;
        this.parser = parser;
        this.defaultValue = defaultValue;
        this.description = description;
        this.secret = secret;
    }

    /** Starts an option with the given key, such as {@code kb.embedding.batch-size}. */
    public static Builder key(String key) {
        if (!key.matches("kb(\\.[a-z0-9-]+)+")) {
            throw new IllegalArgumentException("option keys are kb.<lower-case-dotted>: " + key);
        }
        return new Builder(key);
    }

    public String key() {
        return key;
    }

    public String description() {
        return description;
    }

    /** Secrets are never printed: {@link KbConfig#describe()} masks them. */
    public boolean isSecret() {
        return secret;
    }

    /** The environment variable that overrides this option: KB_EMBEDDING_BATCH_SIZE. */
    public String envName() {
        return key.toUpperCase().replace('.', '_').replace('-', '_');
    }

    T parse(String text) {
        try {
            return parser.apply(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "invalid value for " + key + " (" + description + "): '" + text + "'", e);
        }
    }

    T defaultFor(KbConfig config) {
        return defaultValue.apply(config);
    }

    /** First step: the value type. */
    public static final class Builder {
        private final String key;

        private Builder(String key) {
            this.key = key;
        }

        public TypedBuilder<String> stringType() {
            return new TypedBuilder<>(key, s -> s);
        }

        public TypedBuilder<Integer> intType() {
            return new TypedBuilder<>(key, Integer::parseInt);
        }

        public TypedBuilder<Long> longType() {
            return new TypedBuilder<>(key, Long::parseLong);
        }

        public TypedBuilder<Double> doubleType() {
            return new TypedBuilder<>(key, Double::parseDouble);
        }

        public TypedBuilder<Boolean> booleanType() {
            return new TypedBuilder<>(
                    key,
                    s -> {
                        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                            return Boolean.parseBoolean(s);
                        }
                        throw new IllegalArgumentException("expected true or false");
                    });
        }

        /** Durations as milliseconds ("250") or ISO-8601 ("PT0.25S"). */
        public TypedBuilder<Duration> durationType() {
            return new TypedBuilder<>(
                    key,
                    s ->
                            s.startsWith("P")
                                    ? Duration.parse(s)
                                    : Duration.ofMillis(Long.parseLong(s)));
        }

        /**
         * One constant of {@code type}, by name, case-insensitive, a dash for an underscore ({@code
         * rrf} for RRF, {@code primary-only} for PRIMARY_ONLY).
         */
        public <E extends Enum<E>> TypedBuilder<E> enumType(Class<E> type) {
            return new TypedBuilder<>(
                    key,
                    s -> {
                        for (E constant : type.getEnumConstants()) {
                            if (constant.name().equalsIgnoreCase(s.replace('-', '_'))) {
                                return constant;
                            }
                        }
                        throw new IllegalArgumentException(
                                "expected one of "
                                        + Arrays.stream(type.getEnumConstants())
                                                .map(
                                                        c ->
                                                                c.name()
                                                                        .toLowerCase(Locale.ROOT)
                                                                        .replace('_', '-'))
                                                .toList());
                    });
        }

        /** Comma-separated list of strings; blanks are dropped. */
        public TypedBuilder<List<String>> listType() {
            return new TypedBuilder<>(
                    key,
                    s ->
                            Arrays.stream(s.split(","))
                                    .map(String::trim)
                                    .filter(v -> !v.isEmpty())
                                    .toList());
        }
    }

    /** Second step: default, description, secrecy. */
    public static final class TypedBuilder<T> {
        private final String key;
        private final Function<String, T> parser;
        private Function<KbConfig, T> defaultValue = c -> null;
        private boolean secret;

        private TypedBuilder(String key, Function<String, T> parser) {
            this.key = key;
            this.parser = parser;
        }

        public TypedBuilder<T> defaultValue(T value) {
            this.defaultValue = c -> value;
            return this;
        }

        /** A default computed from other options, e.g. a port from the stack's port base. */
        public TypedBuilder<T> defaultFrom(Function<KbConfig, T> derived) {
            this.defaultValue = Objects.requireNonNull(derived);
            return this;
        }

        /** A value that must never reach a log, a manifest or an error message. */
        public TypedBuilder<T> secret() {
            this.secret = true;
            return this;
        }

        public ConfigOption<T> withDescription(String description) {
            return new ConfigOption<>(key, parser, defaultValue, description, secret);
        }
    }
}
