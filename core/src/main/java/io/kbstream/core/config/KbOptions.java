package io.kbstream.core.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The index of every setting of kb-stream. Each option is declared once, with its default and
 * meaning, in the class of its section: {@link StackOptions}, {@link PostgresOptions}, {@link
 * RedisOptions}, {@link KafkaOptions}, {@link PipelineOptions}, {@link EmbeddingOptions} and {@link
 * ApiOptions}. This class only lists them, for the environment lookup and {@link
 * KbConfig#describe()}.
 */
public final class KbOptions {

    /** The section classes, in the order a person reads them. */
    static final List<Class<?>> SECTIONS =
            List.of(
                    StackOptions.class,
                    PostgresOptions.class,
                    RedisOptions.class,
                    KafkaOptions.class,
                    PipelineOptions.class,
                    ClusterOptions.class,
                    EmbeddingOptions.class,
                    ApiOptions.class);

    private KbOptions() {}

    /** Every option declared in the section classes. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Class<?> section : SECTIONS) {
            for (Field field : section.getFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && ConfigOption.class.isAssignableFrom(field.getType())) {
                    try {
                        options.add((ConfigOption<?>) field.get(null));
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return options;
    }
}
