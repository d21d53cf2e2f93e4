package io.kbstream.cli;

import io.kbstream.client.ApiClient;
import io.kbstream.client.ApiException;
import io.kbstream.client.SearchMode;
import io.kbstream.client.SearchQuery;
import io.kbstream.client.SearchResult;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.StackOptions;
import io.kbstream.stack.TenantKeys;
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
        ApiClient api = ApiClient.of("http://127.0.0.1:" + config.get(ApiOptions.PORT), key);
        SearchResult result;
        try {
            result = api.search(SearchQuery.of(query).mode(SearchMode.parse(mode)).k(k));
        } catch (ApiException e) {
            if (e.unreachable()) {
                System.err.println(
                        "error: the API is not running on port " + config.get(ApiOptions.PORT));
                System.err.println("fix:   ./kb demo (or ./kb api)");
                return 1;
            }
            System.err.println("error: " + e.status() + " " + e.code() + ": " + e.serverMessage());
            return 1;
        }
        System.out.printf(
                "%d results in %s ms (cached: %s, partial: %s)%n",
                result.results().size(), result.tookMs(), result.cached(), result.partial());
        int rank = 1;
        for (SearchResult.Hit hit : result.results()) {
            System.out.printf(
                    "%2d. %.4f  %-24s %s%n",
                    rank++, hit.score(), hit.id(), DemoCommand.oneLine(hit.snippet()));
        }
        return 0;
    }
}
