package io.kbstream.cli;

import io.kbstream.client.Accepted;
import io.kbstream.client.ApiClient;
import io.kbstream.client.ApiException;
import io.kbstream.client.DocumentStatus;
import io.kbstream.client.SearchQuery;
import io.kbstream.client.SearchResult;
import io.kbstream.client.Upload;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.StackOptions;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.stack.LocalStack;
import io.kbstream.stack.StackException;
import io.kbstream.stack.Stacks;
import io.kbstream.stack.TenantKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kb demo}: the whole system on one machine — the local stack, the indexing pipeline and the
 * API in the background, the sample documents uploaded through the API and indexed, a search, and
 * how to go on from there.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run the whole system locally on the sample documents.")
final class DemoCommand implements Callable<Integer> {

    static final String TENANT = "demo";

    @Option(names = "--samples", description = "Folder of documents to upload (default: samples/).")
    Path samples;

    @Option(names = "--query", description = "The search to show at the end.")
    String query = "how does a delete stay ordered with uploads";

    @Override
    public Integer call() throws Exception {
        LocalStack stack = Stacks.open();
        stack.up(System.out::println);
        TenantKeys keys = new TenantKeys(Path.of(stack.config().get(StackOptions.DATA_DIR)));
        TenantKeys.Key key = keys.ensure(TENANT);
        boolean operatorCreated = keys.operatorKey().created();
        if ((key.created() || operatorCreated) && stack.api().status().running()) {
            // it must reload kb.api.keys and kb.api.operator-key-hash to know the new keys
            stack.api().down();
        }
        KbConfig config = KbConfig.load();

        System.out.println(
                "pipeline           starting the indexing job (log: "
                        + stack.pipeline().logFile()
                        + ")");
        stack.pipeline().up();
        System.out.println(
                "pipeline           running; Flink web UI at " + stack.pipeline().endpoint());
        stack.api().up();
        String baseUrl = "http://127.0.0.1:" + config.get(ApiOptions.PORT);
        ApiClient api = ApiClient.of(baseUrl, key.key());
        waitUntil(
                api::ready,
                Duration.ofSeconds(60),
                "the API to be ready (log: " + stack.api().logFile() + ")");
        System.out.println("api                ready at " + baseUrl);

        Map<String, Long> uploaded =
                upload(api, samples == null ? KbConfig.home().resolve("samples") : samples);
        waitForIndexed(api, uploaded);
        printShardCounts(config);
        printSearch(api);

        System.out.println();
        System.out.println("Search it yourself:");
        System.out.printf(
                "  curl -s -H 'Authorization: Bearer %s' '%s/v1/search?q=cache+generation&k=3'%n",
                key.key(), baseUrl);
        System.out.println("  ./kb search \"why is hybrid search better\"");
        System.out.printf(
                "Live status events (WebSocket): ws://127.0.0.1:%d/v1/events  (same bearer key)%n",
                config.get(ApiOptions.PORT));
        System.out.printf(
                "Web console: %s/  (upload, watch, search, delete; paste the demo tenant's key)%n",
                baseUrl);
        System.out.printf(
                "Prometheus (every process's metrics, the alerts): http://127.0.0.1:%d/targets%n",
                config.get(StackOptions.PROMETHEUS_PORT));
        System.out.println(
                "The demo tenant's key is in .kb/tenants/demo.key. Stop everything with: ./kb stack down");
        return 0;
    }

    private static Map<String, Long> upload(ApiClient api, Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            throw new StackException(
                    "no sample folder at " + folder, "pass one with --samples DIR");
        }
        Map<String, Long> versions = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            String id = name.replaceFirst("\\.[^.]+$", "");
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String title = text.lines().findFirst().orElse(id).replaceFirst("^#+\\s*", "");
            Accepted accepted;
            try {
                accepted =
                        api.put(
                                id,
                                new Upload(
                                        title,
                                        text,
                                        name.endsWith(".md") ? "text/markdown" : "text/plain",
                                        Map.of("source", "samples")));
            } catch (ApiException e) {
                throw new StackException(
                        "upload of " + name + " was refused: " + e.getMessage(), "see the API log");
            }
            versions.put(id, accepted.version());
            System.out.printf("uploaded           %-22s 202 %s%n", id, accepted.statusUrl());
        }
        return versions;
    }

    private static void waitForIndexed(ApiClient api, Map<String, Long> versions) throws Exception {
        long start = System.nanoTime();
        long deadline = start + Duration.ofMinutes(5).toNanos();
        Map<String, String> states = new LinkedHashMap<>();
        while (System.nanoTime() < deadline) {
            int done = 0;
            for (String id : versions.keySet()) {
                DocumentStatus status = api.status(id);
                boolean current = status.version() >= versions.get(id);
                states.put(id, current ? status.state().name() : "ACCEPTED");
                if (current && status.done()) {
                    done++;
                }
            }
            if (done == versions.size()) {
                System.out.printf(
                        "indexed            %d documents in %.1f s: %s%n",
                        done, (System.nanoTime() - start) / 1e9, states.values());
                return;
            }
            Thread.sleep(500);
        }
        throw new StackException(
                "documents not indexed within 5 minutes: " + states, "see .kb/run/pipeline.log");
    }

    private static void printShardCounts(KbConfig config) {
        try (ShardedStore store = ShardedStore.open(config)) {
            for (int shard = 0; shard < store.shardCount(); shard++) {
                System.out.printf(
                        "shard %d            %d documents, %d chunks%n",
                        shard,
                        store.countDocuments(shard, TENANT),
                        store.countChunks(shard, TENANT));
            }
        }
    }

    private void printSearch(ApiClient api) throws Exception {
        SearchResult result = api.search(SearchQuery.of(query).k(3));
        System.out.printf("search             \"%s\" (hybrid, %s ms)%n", query, result.tookMs());
        for (SearchResult.Hit hit : result.results()) {
            System.out.printf("  %.4f  %-20s %s%n", hit.score(), hit.id(), oneLine(hit.snippet()));
        }
    }

    static String oneLine(String text) {
        String flat = text.replaceAll("\\s+", " ").trim();
        return flat.length() > 90 ? flat.substring(0, 87) + "..." : flat;
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static void waitUntil(Check check, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new StackException(
                        "timed out waiting for " + what, "see the logs under .kb/run/");
            }
            Thread.sleep(300);
        }
    }
}
