package io.kbstream.api.documents;

import io.kbstream.api.http.ApiException;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.RedisOptions;
import java.time.Duration;

/** What uploads, deletes and statuses take from the configuration. */
public record DocumentSettings(
        String documentsTopic,
        String statusTopic,
        Duration sendTimeout,
        Duration statusTtl,
        long retryAfterSeconds,
        int maxUploadBytes) {

    public static DocumentSettings from(KbConfig config) {
        return new DocumentSettings(
                config.get(KafkaOptions.TOPIC_DOCUMENTS),
                config.get(KafkaOptions.TOPIC_STATUS),
                config.get(KafkaOptions.SEND_TIMEOUT),
                config.get(RedisOptions.STATUS_TTL),
                ApiException.retryAfterSeconds(config.get(ApiOptions.RETRY_AFTER)),
                config.get(ApiOptions.MAX_UPLOAD_BYTES));
    }
}
