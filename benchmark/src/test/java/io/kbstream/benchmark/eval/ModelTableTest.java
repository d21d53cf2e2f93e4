package io.kbstream.benchmark.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link ModelTable}. */
class ModelTableTest {

    @TempDir Path dir;

    @Test
    void the_default_is_the_fastest_model_within_nine_tenths_of_the_best_quality()
            throws Exception {
        Path speed = speed();
        ModelTable.Table t =
                ModelTable.build(
                        List.of(eval("slow-best", 0.74)),
                        List.of(
                                eval("fast-weak", 0.66), // below 0.9 x 0.76 = 0.684
                                eval("mid", 0.70),
                                eval("slow-best", 0.76)),
                        speed);

        assertThat(t.best().model()).isEqualTo("slow-best");
        assertThat(t.best().queryInstruction()).isFalse();
        assertThat(t.chosen().model()).isEqualTo("mid");
        assertThat(t.chosen().chunksPerSecond()).isEqualTo(40.0);
        assertThat(t.rows())
                .extracting(ModelTable.Row::queryP50Ms)
                .containsExactly(9.0, 2.0, 5.0, 8.0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) ModelTable.json(t).get("rows");
        assertThat(rows)
                .extracting(r -> r.get("eligible"))
                .containsExactly(true, false, true, true);
    }

    @Test
    void a_tie_in_speed_goes_to_the_better_quality() throws Exception {
        ModelTable.Table t =
                ModelTable.build(
                        List.of(eval("slow-best", 0.74)),
                        List.of(eval("slow-best", 0.76)),
                        speed());

        assertThat(t.chosen().queryInstruction()).isFalse();
        assertThat(t.chosen().ndcg10()).isEqualTo(0.76);
    }

    @Test
    void a_model_the_speed_file_does_not_know_is_an_error() throws Exception {
        Path unknown = eval("unknown", 0.8);
        Path speed = speed();

        assertThatThrownBy(() -> ModelTable.build(List.of(), List.of(unknown), speed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunks phase has no entry");
    }

    private Path eval(String model, double ndcg) throws Exception {
        Path f = Files.createTempFile(dir, model, ".json");
        Files.writeString(
                f,
                "{\"results\":[{\"mode\":\"vector\",\"model\":\""
                        + model
                        + "\",\"ndcg@10\":"
                        + ndcg
                        + ",\"recall@100\":0.9,\"mrr@10\":0.6}]}");
        return f;
    }

    private Path speed() throws Exception {
        Path f = dir.resolve("speed.json");
        Files.writeString(
                f,
                "{\"chunks\":["
                        + chunks("fast-weak", 90)
                        + ","
                        + chunks("mid", 40)
                        + ","
                        + chunks("slow-best", 20)
                        + "],\"queryLatency\":["
                        + query("fast-weak", false, 2)
                        + ","
                        + query("mid", false, 5)
                        + ","
                        + query("slow-best", true, 9)
                        + ","
                        + query("slow-best", false, 8)
                        + "]}");
        return f;
    }

    private static String chunks(String model, double perSecond) {
        return "{\"model\":\""
                + model
                + "\",\"chunksPerSecond\":"
                + perSecond
                + ",\"documentsPerHour\":"
                + perSecond * 1800
                + "}";
    }

    private static String query(String model, boolean instruction, double p50) {
        return "{\"model\":\""
                + model
                + "\",\"queryInstruction\":"
                + instruction
                + ",\"p50Ms\":"
                + p50
                + ",\"p90Ms\":"
                + (p50 + 1)
                + ",\"meanTokens\":20}";
    }
}
