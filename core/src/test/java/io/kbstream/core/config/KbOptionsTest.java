package io.kbstream.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Tests for {@link KbOptions}. */
class KbOptionsTest {

    @Test
    void every_key_is_declared_once_across_the_sections() {
        Map<String, Long> perKey =
                KbOptions.all().stream()
                        .collect(Collectors.groupingBy(ConfigOption::key, Collectors.counting()));

        assertThat(perKey).isNotEmpty();
        assertThat(perKey.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey))
                .as("keys declared more than once")
                .isEmpty();
    }

    @Test
    void all_lists_every_option_of_every_section() {
        long declared =
                KbOptions.SECTIONS.stream()
                        .flatMap(section -> List.of(section.getFields()).stream())
                        .filter(f -> ConfigOption.class.isAssignableFrom(f.getType()))
                        .count();

        assertThat(KbOptions.all()).hasSize((int) declared);
        assertThat(KbOptions.all().stream().map(ConfigOption::key))
                .contains("kb.stack.port-base", "kb.api.keys", "kb.embedding.model");
    }

    @Test
    void every_option_has_a_description_and_a_kb_key() {
        assertThat(KbOptions.all())
                .allSatisfy(
                        option -> {
                            assertThat(option.key()).startsWith("kb.");
                            assertThat(option.description()).isNotBlank();
                        });
    }

    @Test
    void derived_defaults_follow_the_port_base_across_sections() {
        KbConfig config = KbConfig.of(Map.of("kb.stack.port-base", "30000"));

        Map<String, Object> values =
                List.of(ApiOptions.PORT, RedisOptions.PORT, PipelineOptions.FLINK_WEB_PORT).stream()
                        .collect(Collectors.toMap(ConfigOption::key, config::get));
        assertThat(values)
                .containsEntry("kb.api.port", 30080)
                .containsEntry("kb.redis.port", 30010)
                .containsEntry("kb.flink.web-port", 30081);
        assertThat(config.get(KafkaOptions.BOOTSTRAP)).isEqualTo("127.0.0.1:30020");
    }

    @Test
    void an_enum_option_reads_any_case_and_a_wrong_name_lists_the_choices() {
        assertThat(
                        KbConfig.of(Map.of("kb.api.search.fusion", "Convex"))
                                .get(ApiOptions.SEARCH_FUSION))
                .isEqualTo(ApiOptions.FusionMethod.CONVEX);
        assertThat(KbConfig.of(Map.of()).get(ApiOptions.SEARCH_FUSION)).isNotNull();

        KbConfig wrong = KbConfig.of(Map.of("kb.api.search.fusion", "borda"));
        assertThatThrownBy(() -> wrong.get(ApiOptions.SEARCH_FUSION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kb.api.search.fusion")
                .hasStackTraceContaining("[rrf, convex]");
    }
}
