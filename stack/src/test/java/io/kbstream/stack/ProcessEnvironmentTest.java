package io.kbstream.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The stack's servers and tools must not see the caller's libpq settings: a PGPASSWORD exported for
 * another server overrides the replicas' passfile and fails their base backup.
 */
class ProcessEnvironmentTest {

    @Test
    void a_child_started_by_the_stack_sees_no_libpq_settings_of_the_caller() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("env");
        builder.environment().put("PGPASSWORD", "another-servers-password");
        builder.environment().put("PGUSER", "someone");
        builder.environment().put("KB_KEEP_ME", "1");

        Processes.withoutLibpqSettings(builder.environment());
        Process child = builder.redirectErrorStream(true).start();
        String env = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        child.waitFor();

        assertThat(env)
                .contains("KB_KEEP_ME=1")
                .doesNotContain("PGPASSWORD")
                .doesNotContain("PGUSER");
    }
}
