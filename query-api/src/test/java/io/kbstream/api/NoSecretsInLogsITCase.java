package io.kbstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.client.EventStream;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.RedisOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

/**
 * Runs the API through successes and failures at INFO level (Kafka and Hikari print their configs
 * there) and checks that no API key, key hash or stack password appears in any log line.
 */
class NoSecretsInLogsITCase {

    /** Collects every formatted log line and stack trace. */
    private static final class Capture extends AbstractAppender {
        final StringBuffer text = new StringBuffer();

        Capture() {
            super("capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            text.append(event.getMessage().getFormattedMessage()).append('\n');
            if (event.getThrown() != null) {
                java.io.StringWriter sw = new java.io.StringWriter();
                event.getThrown().printStackTrace(new java.io.PrintWriter(sw));
                text.append(sw).append('\n');
            }
        }
    }

    @Test
    void keys_hashes_and_passwords_never_reach_the_logs() throws Exception {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Capture capture = new Capture();
        capture.start();
        context.getConfiguration().getRootLogger().addAppender(capture, Level.ALL, null);
        Level before = context.getRootLogger().getLevel();
        Configurator.setRootLevel(Level.INFO);
        List<String> secrets = new ArrayList<>();
        try {
            try (ApiUnderTest api = new ApiUnderTest()) {
                secrets.addAll(List.of(api.keyA, api.keyB, ApiKeys.hash(api.keyA)));
                secrets.add(api.config.get(PostgresOptions.PASSWORD));
                secrets.add(api.config.get(RedisOptions.PASSWORD));
                api.postJson("/v1/documents", api.keyA, "{\"text\":\"x\"}");
                api.postJson("/v1/search", api.keyA, "{\"query\":\"x\"}");
                api.get("/v1/documents/nope", api.keyA);
                api.get("/v1/documents/x", api.keyA + "x");
                api.postJson("/v1/documents", api.keyA, "{broken");
                try (EventStream c = api.events(null)) {
                    c.send("{\"apiKey\":\"" + api.keyB + "\"}");
                    c.await("subscribed", 5);
                }
            }
            // a failing dependency logs warnings: still nothing secret
            try (ApiUnderTest down =
                    new ApiUnderTest(
                            Map.of(
                                    KafkaOptions.BOOTSTRAP.key(), "127.0.0.1:1",
                                    KafkaOptions.SEND_TIMEOUT.key(), "1000",
                                    RedisOptions.PORT.key(), "1"))) {
                secrets.add(down.keyA);
                down.postJson("/v1/documents", down.keyA, "{\"text\":\"x\"}");
                down.get("/v1/documents/x", down.keyA);
            }
        } finally {
            Configurator.setRootLevel(before);
            context.getConfiguration().getRootLogger().removeAppender("capture");
            capture.stop();
        }
        String logs = capture.text.toString();
        assertThat(logs).as("something was logged").isNotEmpty();
        for (int i = 0; i < secrets.size(); i++) {
            String secret = secrets.get(i);
            if (secret != null && !secret.isEmpty()) {
                // never print the secret itself in the failure message
                assertThat(logs.contains(secret)).as("secret #%d appears in the logs", i).isFalse();
            }
        }
    }
}
