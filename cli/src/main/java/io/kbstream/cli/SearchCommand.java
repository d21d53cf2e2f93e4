package io.kbstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.cli.client.ApiClient;
import io.kbstream.cli.client.TenantKeys;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.StackOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kb search "text"}: one search through the public API, printed as a table. */
@Command(
        name = "search",
        mixinStandardHelpOptions = true,
        description = "Search a tenant's documents through the API.")
final class SearchCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "What to search for.")
    String query;

    @Option(names = "--mode", description = "hybrid, vector or keyword (default ${DEFAULT-VALUE}).")
    String mode = "hybrid";

    @Option(names = "--k", description = "How many documents (1..100, default ${DEFAULT-VALUE}).")
    int k = 5;

    @Option(names = "--tenant", description = "Whose documents (default ${DEFAULT-VALUE}).")
    String tenant = DemoCommand.TENANT;

    @Override
    public Integer call() throws Exception {
        KbConfig config = KbConfig.load();
        String key = new TenantKeys(Path.of(config.get(StackOptions.DATA_DIR))).keyOf(tenant);
        ApiClient api = new ApiClient("http://127.0.0.1:" + config.get(ApiOptions.PORT), key);
        ApiClient.Answer answer;
        try {
            answer = api.search(query, mode, k);
        } catch (java.net.ConnectException e) {
            System.err.println(
                    "error: the API is not running on port " + config.get(ApiOptions.PORT));
            System.err.println("fix:   ./kb demo (or ./kb api)");
            return 1;
        }
        if (!answer.ok()) {
            System.err.println(
                    "error: "
                            + answer.status()
                            + " "
                            + answer.body().path("error").path("message").asText());
            return 1;
        }
        JsonNode body = answer.body();
        System.out.printf(
                "%d results in %s ms (cached: %s, partial: %s)%n",
                body.path("results").size(),
                body.path("tookMs").asText(),
                body.path("cached").asText(),
                body.path("partial").asText());
        int rank = 1;
        for (JsonNode hit : body.path("results")) {
            System.out.printf(
                    "%2d. %.4f  %-24s %s%n",
                    rank++,
                    hit.path("score").asDouble(),
                    hit.path("id").asText(),
                    DemoCommand.oneLine(hit.path("snippet").asText()));
        }
        return 0;
    }
}
