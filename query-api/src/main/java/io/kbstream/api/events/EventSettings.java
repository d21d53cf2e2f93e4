package io.kbstream.api.events;

import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import java.time.Duration;

/** What the status events socket takes from the configuration. */
public record EventSettings(String statusTopic, int queueSize, Duration authTimeout) {

    public static EventSettings from(KbConfig config) {
        return new EventSettings(
                config.get(KafkaOptions.TOPIC_STATUS),
                config.get(ApiOptions.EVENTS_QUEUE_SIZE),
                config.get(ApiOptions.EVENTS_AUTH_TIMEOUT));
    }
}
