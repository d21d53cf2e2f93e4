package io.kbstream.api;

import static io.javalin.apibuilder.ApiBuilder.before;
import static io.javalin.apibuilder.ApiBuilder.delete;
import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.post;
import static io.javalin.apibuilder.ApiBuilder.put;
import static io.javalin.apibuilder.ApiBuilder.ws;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.kbstream.api.events.StatusFanout;
import io.kbstream.api.search.Bm25Weights;
import io.kbstream.api.search.Fusion;
import io.kbstream.api.search.QueryEmbeddings;
import io.kbstream.api.search.RedisGuard;
import io.kbstream.api.search.ResultMerger;
import io.kbstream.api.search.SearchCache;
import io.kbstream.api.search.SearchService;
import io.kbstream.api.upload.DocumentService;
import io.kbstream.api.upload.UploadParser;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.RedisOptions;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.redis.StatusStore;
import io.kbstream.core.store.Bm25Settings;
import io.kbstream.core.store.ShardedStore;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * The query API: a Javalin server built from its dependencies (no static state), so tests can start
 * as many as they like with their own config. All routes are in {@link #routes()}; every error is
 * an exception mapped once, in {@link #mapErrors}, to {@code {"error": {"code", "message"}}}. The
 * server owns the clients it is given and closes them in {@link #stop()}.
 */
public final class ApiServer {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final KbConfig config;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final PrometheusMeterRegistry metrics =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ExecutorService shardExecutor;
    private final ExecutorService healthExecutor;
    private final ScheduledExecutorService timer;
    private final StatusFanout fanout;
    private final Auth auth;
    private final DocumentController documents;
    private final SearchController search;
    private final EventsSocket events;
    private final HealthController health;
    private final UploadParser uploads;
    private final List<String> registeredRoutes = Collections.synchronizedList(new ArrayList<>());
    private Javalin app;

    /** The clients the server needs; each is closed by {@link #stop()}. */
    public record Dependencies(
            ShardedStore store,
            UnifiedJedis redis,
            Producer<byte[], byte[]> producer,
            KafkaConsumer<byte[], byte[]> statusConsumer,
            Admin kafkaAdmin,
            Embedder embedder) {}

    public ApiServer(KbConfig config, Dependencies deps) {
        this.config = config;
        owned.addAll(List.of(deps.store(), deps.redis(), deps.producer(), deps.kafkaAdmin()));
        Duration retryAfter = config.get(ApiOptions.RETRY_AFTER);
        ApiKeys keys = ApiKeys.parse(config.get(ApiOptions.KEYS));
        if (keys.size() == 0) {
            LOG.warn("kb.api.keys is empty: every /v1 request will be answered 401");
        }
        this.shardExecutor = boundedPool("kb-search", config.get(ApiOptions.SEARCH_THREADS));
        this.healthExecutor = boundedPool("kb-health", 4);
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("kb-ws-timer"));
        this.auth =
                new Auth(
                        keys,
                        new RateLimiter(
                                config.get(ApiOptions.RATE_LIMIT_PER_SECOND),
                                config.get(ApiOptions.RATE_LIMIT_BURST)));
        this.uploads = new UploadParser(config.get(ApiOptions.MAX_UPLOAD_BYTES));
        StatusStore statuses = new StatusStore(deps.redis(), config.get(RedisOptions.STATUS_TTL));
        Duration failurePause = config.get(ApiOptions.FAILURE_PAUSE);
        RedisGuard guard = new RedisGuard(failurePause);
        this.documents =
                new DocumentController(
                        new DocumentService(
                                deps.producer(),
                                config.get(KafkaOptions.TOPIC_DOCUMENTS),
                                config.get(KafkaOptions.TOPIC_STATUS),
                                config.get(KafkaOptions.SEND_TIMEOUT),
                                retryAfter,
                                statuses,
                                guard,
                                deps.store(),
                                metrics),
                        uploads);
        this.search =
                new SearchController(
                        new SearchService(
                                deps.store(),
                                new IndexGenerations(deps.redis()),
                                guard,
                                new SearchCache(
                                        config.get(ApiOptions.CACHE_L1_SIZE),
                                        config.get(ApiOptions.CACHE_L1_TTL),
                                        config.get(ApiOptions.CACHE_L2_TTL),
                                        deps.redis(),
                                        guard,
                                        metrics),
                                new QueryEmbeddings(
                                        deps.embedder(),
                                        deps.redis(),
                                        guard,
                                        config.get(ApiOptions.CACHE_EMBEDDING_TTL),
                                        metrics),
                                new ResultMerger(Fusion.from(config)),
                                shardExecutor,
                                config.get(ApiOptions.SEARCH_SHARD_TIMEOUT),
                                failurePause,
                                config.get(PostgresOptions.EF_SEARCH),
                                config.get(PostgresOptions.EXACT_BELOW_CHUNKS),
                                new Bm25Weights(
                                        Bm25Settings.fromConfig(config),
                                        config.get(ApiOptions.CACHE_L1_TTL)),
                                retryAfter,
                                metrics));
        this.fanout =
                new StatusFanout(deps.statusConsumer(), config.get(KafkaOptions.TOPIC_STATUS));
        this.events =
                new EventsSocket(
                        keys,
                        fanout,
                        config.get(ApiOptions.EVENTS_QUEUE_SIZE),
                        config.get(ApiOptions.EVENTS_AUTH_TIMEOUT),
                        timer);
        io.micrometer.core.instrument.Gauge.builder(
                        "kb.api.events.clients", events, EventsSocket::connected)
                .description("WebSocket clients subscribed to status events")
                .register(metrics);
        this.health =
                new HealthController(
                        readinessChecks(deps, config.get(KafkaOptions.TOPIC_DOCUMENTS)),
                        healthExecutor,
                        Duration.ofSeconds(3),
                        retryAfter,
                        metrics);
    }

    /** Opens the real clients from {@code config} (the embedding model is loaded here). */
    public static ApiServer create(KbConfig config) {
        String instance = UUID.randomUUID().toString().substring(0, 8);
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KafkaOptions.BOOTSTRAP));
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        return new ApiServer(
                config,
                new Dependencies(
                        ShardedStore.open(config),
                        RedisConnections.pooled(config),
                        KafkaClients.producer(config, "kb-api-" + instance),
                        // its own group per instance: every instance sees every status
                        KafkaClients.consumer(config, "kb-api-events-" + instance),
                        Admin.create(admin),
                        Embedders.shared(config)));
    }

    /** Every route of the API, in one place. */
    void routes() {
        before("/v1/*", auth::authenticate);
        post("/v1/documents", documents::create);
        put("/v1/documents/{id}", documents::replace);
        get("/v1/documents/{id}", documents::status);
        delete("/v1/documents/{id}", documents::delete);
        get("/v1/search", search::searchGet);
        post("/v1/search", search::searchPost);
        ws("/v1/events", events::configure);
        get("/metrics", health::metrics);
        get("/health/live", health::live);
        get("/health/ready", health::ready);
    }

    /** Starts on {@code kb.api.host}:{@code kb.api.port}. */
    public ApiServer start() {
        return start(config.get(ApiOptions.PORT));
    }

    /** Starts on the given port (0: any free port, see {@link #port()}). */
    public synchronized ApiServer start(int port) {
        fanout.start(Duration.ofSeconds(10));
        app = Javalin.create(this::configure);
        mapErrors(app);
        app.start(config.get(ApiOptions.HOST), port);
        LOG.info("query API listening on {}:{}", config.get(ApiOptions.HOST), app.port());
        return this;
    }

    public int port() {
        return app.port();
    }

    /**
     * Method and path of every route registered by {@link #routes()}, e.g. {@code GET /v1/search}.
     */
    public List<String> registeredRoutes() {
        return List.copyOf(registeredRoutes);
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    public synchronized void stop() {
        if (app != null) {
            app.stop();
            app = null;
        }
        fanout.close();
        shardExecutor.shutdownNow();
        healthExecutor.shutdownNow();
        timer.shutdownNow();
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
        owned.clear();
    }

    private void configure(JavalinConfig cfg) {
        cfg.showJavalinBanner = false;
        cfg.startupWatcherEnabled = false;
        cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
        cfg.http.maxRequestSize = uploads.maxRequestBytes();
        cfg.jetty.multipartConfig.maxFileSize(
                config.get(ApiOptions.MAX_UPLOAD_BYTES), SizeUnit.BYTES);
        cfg.jetty.multipartConfig.maxTotalRequestSize(uploads.maxRequestBytes(), SizeUnit.BYTES);
        cfg.jetty.multipartConfig.maxInMemoryFileSize(1, SizeUnit.MB);
        cfg.jetty.modifyServer(server -> server.setErrorHandler(new JettyJsonErrors()));
        cfg.events(
                e -> {
                    e.handlerAdded(
                            h -> {
                                if (h.getHttpMethod().isHttpMethod()) {
                                    registeredRoutes.add(h.getHttpMethod() + " " + h.getPath());
                                }
                            });
                    e.wsHandlerAdded(h -> registeredRoutes.add("GET " + h.getPath()));
                });
        cfg.requestLogger.http(this::recordRequest);
        cfg.router.apiBuilder(this::routes);
    }

    private void recordRequest(Context ctx, Float millis) {
        String endpoint;
        try {
            endpoint = ctx.endpointHandlerPath();
        } catch (RuntimeException e) {
            endpoint = "unmatched";
        }
        Timer.builder("kb.api.requests")
                .description("HTTP requests by endpoint, method and status")
                .tag("method", ctx.method().name())
                .tag("endpoint", endpoint)
                .tag("status", Integer.toString(ctx.statusCode()))
                .publishPercentileHistogram()
                .register(metrics)
                .record((long) (millis * 1_000_000L), TimeUnit.NANOSECONDS);
    }

    /** The one place exceptions become responses. */
    private static void mapErrors(Javalin app) {
        app.exception(ApiException.class, (e, ctx) -> error(ctx, e));
        app.exception(
                HttpResponseException.class,
                (e, ctx) -> error(ctx, fromJavalin(e.getStatus(), e.getMessage())));
        // reading a broken or aborted request body (Jetty throws these undeclared)
        app.exception(
                java.io.IOException.class,
                (e, ctx) ->
                        error(ctx, ApiException.badRequest("the request body could not be read")));
        app.exception(
                Exception.class,
                (e, ctx) -> {
                    LOG.error(
                            "unexpected error on {} {}",
                            ctx.method(),
                            ctx.endpointHandlerPath(),
                            e);
                    error(ctx, new ApiException(500, "internal", "internal error", 0));
                });
    }

    static ApiException fromJavalin(int status, String message) {
        String code =
                switch (status) {
                    case 400 -> "bad_request";
                    case 404 -> "not_found";
                    case 405 -> "method_not_allowed";
                    case 413 -> "payload_too_large";
                    case 415 -> "unsupported_media_type";
                    case 431 -> "headers_too_large";
                    // Jetty's answer to a request line claiming e.g. HTTP/9.9: the client's
                    // fault, though HTTP numbers it 5xx
                    case 505 -> "http_version_not_supported";
                    default -> status >= 500 ? "internal" : "error";
                };
        String safe = message == null ? code : message.replaceAll("\\p{Cntrl}", "?");
        return new ApiException(status, code, safe.length() > 200 ? code : safe, 0);
    }

    private static void error(Context ctx, ApiException e) {
        if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", e.code());
        error.put("message", e.getMessage());
        ctx.status(e.status()).json(Map.of("error", error));
    }

    private List<HealthController.Check> readinessChecks(Dependencies deps, String topic) {
        List<HealthController.Check> checks = new ArrayList<>();
        checks.add(
                new HealthController.Check(
                        "kafka",
                        () -> {
                            try {
                                deps.kafkaAdmin()
                                        .describeTopics(List.of(topic))
                                        .allTopicNames()
                                        .get(3, TimeUnit.SECONDS);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }));
        checks.add(new HealthController.Check("redis", () -> deps.redis().ping()));
        for (int s = 0; s < deps.store().shardCount(); s++) {
            int shard = s;
            checks.add(
                    new HealthController.Check("shard-" + shard, () -> deps.store().ping(shard)));
        }
        return checks;
    }

    private static ExecutorService boundedPool(String name, int threads) {
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        60,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(threads * 64),
                        daemon(name),
                        new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public static void main(String[] args) {
        ApiServer server = create(KbConfig.load()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "kb-api-stop"));
    }
}
