package io.kbstream.cli;

import io.kbstream.client.ApiClient;
import io.kbstream.client.ApiException;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.StackOptions;
import io.kbstream.stack.TenantKeys;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What {@code kb tenant} and {@code kb key} share: the API client carrying the local operator key
 * ({@code .kb/operator.key}, minted on first use), and one way to report the API's errors.
 */
final class AdminCalls {

    private AdminCalls() {}

    /** Runs {@code call} against the local API as the operator; 0, or 1 with the error printed. */
    static int run(Consumer<ApiClient> call) {
        KbConfig config = KbConfig.load();
        TenantKeys.Key operator =
                new TenantKeys(Path.of(config.get(StackOptions.DATA_DIR))).operatorKey();
        String baseUrl = "http://127.0.0.1:" + config.get(ApiOptions.PORT);
        try {
            call.accept(ApiClient.of(baseUrl, operator.key()));
            return 0;
        } catch (ApiException e) {
            if (e.unreachable()) {
                System.err.println(
                        "error: the API is not running on port " + config.get(ApiOptions.PORT));
                System.err.println("fix:   ./kb demo (or ./kb api)");
            } else {
                System.err.println(
                        "error: " + e.status() + " " + e.code() + ": " + e.serverMessage());
                if (e.status() == 401 && operator.created()) {
                    System.err.println(
                            "fix:   the operator key was just created: restart the API"
                                    + " (./kb stack down, then ./kb demo or ./kb api)");
                }
            }
            return 1;
        }
    }
}
