package io.kbstream.api.http;

import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;

/**
 * What the HTTP layer takes from the configuration: where to listen, the tenants' keys and their
 * rate limit, and the Retry-After of a 503.
 */
public record HttpSettings(
        String host,
        int port,
        ApiKeys keys,
        double ratePerSecond,
        int rateBurst,
        long retryAfterSeconds) {

    public static HttpSettings from(KbConfig config) {
        return new HttpSettings(
                config.get(ApiOptions.HOST),
                config.get(ApiOptions.PORT),
                ApiKeys.parse(config.get(ApiOptions.KEYS)),
                config.get(ApiOptions.RATE_LIMIT_PER_SECOND),
                config.get(ApiOptions.RATE_LIMIT_BURST),
                ApiException.retryAfterSeconds(config.get(ApiOptions.RETRY_AFTER)));
    }
}
