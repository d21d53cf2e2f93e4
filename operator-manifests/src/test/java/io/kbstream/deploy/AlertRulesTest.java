package io.kbstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules ({@link Manifests#ALERT_RULES}) under Debian's {@code promtool} (installed with
 * the prometheus package by scripts/install-prereqs.sh): they are valid, each has a unit test case,
 * and every case passes.
 */
class AlertRulesTest {

    private static final Path RULES = Path.of("src/main/resources", Manifests.ALERT_RULES);
    private static final Path TESTS = Path.of("src/test/resources/prometheus/kb-alerts.test.yml");

    @Test
    void promtool_accepts_the_rules_file() throws Exception {
        Result r = promtool("check", "rules", RULES.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: " + alerts(RULES).size() + " rules found");
    }

    @Test
    void every_alert_has_a_promtool_test_case() throws IOException {
        List<String> alerts = alerts(RULES);
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(10);
        String tests = Files.readString(TESTS, StandardCharsets.UTF_8);
        for (String alert : alerts) {
            assertThat(tests).as(alert).contains("alertname: " + alert + "\n");
        }
    }

    @Test
    void promtool_test_rules_passes_for_every_alert() throws Exception {
        Result r = promtool("test", "rules", TESTS.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    private static List<String> alerts(Path rules) throws IOException {
        Matcher m =
                Pattern.compile("(?m)^\\s*- alert: (\\S+)$")
                        .matcher(Files.readString(rules, StandardCharsets.UTF_8));
        return m.results().map(r -> r.group(1)).toList();
    }

    private record Result(int exit, String output) {}

    private static Result promtool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool did not finish within 60 s: " + command);
        }
        return new Result(
                p.exitValue(),
                new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
