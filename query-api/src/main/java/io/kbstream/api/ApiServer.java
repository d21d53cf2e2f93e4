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
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.kbstream.api.documents.DocumentController;
import io.kbstream.api.documents.DocumentListing;
import io.kbstream.api.documents.DocumentService;
import io.kbstream.api.documents.DocumentSettings;
import io.kbstream.api.documents.UploadParser;
import io.kbstream.api.events.EventSettings;
import io.kbstream.api.events.EventsSocket;
import io.kbstream.api.events.StatusFanout;
import io.kbstream.api.http.ApiMetrics;
import io.kbstream.api.http.Auth;
import io.kbstream.api.http.ErrorMapper;
import io.kbstream.api.http.HealthController;
import io.kbstream.api.http.HttpSettings;
import io.kbstream.api.http.Json;
import io.kbstream.api.http.RateLimiter;
import io.kbstream.api.http.SharedRateLimiter;
import io.kbstream.api.http.TenantDirectory;
import io.kbstream.api.http.TenantMeters;
import io.kbstream.api.models.MigrationProgress;
import io.kbstream.api.models.TenantModelController;
import io.kbstream.api.resilience.ReadRoutes;
import io.kbstream.api.resilience.RedisGuard;
import io.kbstream.api.resilience.ShardCalls;
import io.kbstream.api.search.CacheWarmup;
import io.kbstream.api.search.Fusion;
import io.kbstream.api.search.QueryEmbeddings;
import io.kbstream.api.search.ResultMerger;
import io.kbstream.api.search.SearchCache;
import io.kbstream.api.search.SearchController;
import io.kbstream.api.search.SearchCounts;
import io.kbstream.api.search.SearchService;
import io.kbstream.api.search.SearchSettings;
import io.kbstream.api.tenants.AdminController;
import io.kbstream.api.tenants.TenantController;
import io.kbstream.api.tenants.TenantDeletion;
import io.kbstream.api.tenants.TenantUsage;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.models.ModelMigrations;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.redis.StatusStore;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.TenantModelsCache;
import io.kbstream.core.tenant.TenantCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * The query API: a Javalin server wired from its dependencies (no static state), so tests can start
 * as many as they like with their own config and clock. All routes are in {@link #routes()}; each
 * feature package holds its handlers, services and settings, and errors are mapped once by {@link
 * ErrorMapper}. The server owns the clients it is given and closes them in {@link #stop()}.
 */
public final class ApiServer {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final HttpSettings http;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final ApiMetrics metrics = new ApiMetrics();
    private final StatusFanout fanout;
    private final Auth auth;
    private final TenantModelController models;
    private final UploadParser uploads;
    private final DocumentController documents;
    private final SearchController search;
    private final EventsSocket events;
    private final HealthController health;
    private final AdminController admin;
    private final TenantController tenant;
    private final TenantDeletion deletion;
    private final SearchCounts searchCounts;
    private final CacheWarmup warmup;
    private final List<String> registeredRoutes = Collections.synchronizedList(new ArrayList<>());
    private Javalin app;

    /**
     * The clients the server needs, each closed by {@link #stop()}, and the clock that stamps
     * uploads (tests give instances clocks that disagree; versions never depend on it).
     */
    public record Dependencies(
            ShardedStore store,
            UnifiedJedis redis,
            Producer<byte[], byte[]> producer,
            KafkaConsumer<byte[], byte[]> statusConsumer,
            Admin kafkaAdmin,
            Embedder embedder,
            Clock clock) {

        /** Opens the real clients from {@code config} (the embedding model is loaded here). */
        public static Dependencies open(KbConfig config, Clock clock) {
            String instance = UUID.randomUUID().toString().substring(0, 8);
            Properties admin = new Properties();
            admin.put(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KafkaOptions.BOOTSTRAP));
            admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
            admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
            return new Dependencies(
                    ShardedStore.open(config),
                    RedisConnections.pooled(config),
                    KafkaClients.producer(config, "kb-api-" + instance),
                    // its own group per instance: every instance sees every status
                    KafkaClients.consumer(config, "kb-api-events-" + instance),
                    Admin.create(admin),
                    Embedders.shared(config),
                    clock);
        }
    }

    public ApiServer(KbConfig config, Dependencies deps) {
        this.http = HttpSettings.from(config);
        owned.addAll(
                List.of(deps.store(), deps.redis(), deps.producer(), deps.kafkaAdmin(), metrics));
        RedisGuard guard = new RedisGuard(config.get(ApiOptions.FAILURE_PAUSE), metrics.registry());

        // tenants and keys: configured bootstrap keys plus the catalog on shard 0
        TenantCatalog catalog = new TenantCatalog(deps.store().dataSource(0));
        Duration tenantsRefresh = config.get(ApiOptions.TENANTS_REFRESH);
        TenantDirectory directory =
                new TenantDirectory(
                        http.keys(),
                        catalog,
                        new TenantDirectory.Limits(
                                config.get(ApiOptions.QUOTA_DOCUMENTS),
                                config.get(ApiOptions.QUOTA_BYTES),
                                http.ratePerSecond(),
                                http.rateBurst()),
                        tenantsRefresh,
                        Clock.systemUTC());
        owned.add(directory);
        this.auth =
                new Auth(
                        directory,
                        new SharedRateLimiter(
                                deps.redis(),
                                guard,
                                new RateLimiter(http.ratePerSecond(), http.rateBurst())),
                        new TenantMeters(metrics.registry()));
        TenantUsage usage = new TenantUsage(deps.redis(), guard, directory);
        metrics.monitorPools(deps.store());

        SearchSettings searchSettings = SearchSettings.from(config);
        // searches and listings read the shards through one pool and one set of routes
        ReadRoutes routes =
                new ReadRoutes(ReadRoutes.Settings.from(config), deps.store(), metrics.registry());
        ShardCalls shardCalls =
                new ShardCalls(routes, searchSettings.threads(), metrics.registry());
        owned.add(shardCalls);

        DocumentSettings documentSettings = DocumentSettings.from(config);
        this.uploads = new UploadParser(documentSettings.maxUploadBytes());
        this.documents =
                new DocumentController(
                        new DocumentService(
                                documentSettings,
                                deps.producer(),
                                deps.redis(),
                                guard,
                                deps.store(),
                                deps.clock(),
                                metrics.registry(),
                                usage),
                        uploads,
                        new DocumentListing(
                                deps.store(),
                                shardCalls,
                                new StatusStore(deps.redis(), documentSettings.statusTtl()),
                                guard,
                                searchSettings.shardTimeout(),
                                documentSettings.retryAfterSeconds()));

        this.searchCounts =
                new SearchCounts(
                        deps.redis(),
                        guard,
                        deps.clock(),
                        searchSettings.warmupWindow(),
                        searchSettings.warmupTracked());
        String defaultModel = config.get(EmbeddingOptions.MODEL);
        TenantModelsCache tenantModels =
                new TenantModelsCache(
                        tenant -> routes.tenantModels(tenant, defaultModel),
                        defaultModel,
                        config.get(EmbeddingOptions.TENANT_MODELS_REFRESH),
                        10_000);
        ModelMigrations migrations =
                new ModelMigrations(
                        deps.store(),
                        new IndexGenerations(deps.redis()),
                        defaultModel,
                        model -> Embedders.shared(config, model));
        this.models = new TenantModelController(migrations);
        SearchService searchService =
                new SearchService(
                        searchSettings,
                        deps.store(),
                        shardCalls,
                        new IndexGenerations(deps.redis()),
                        guard,
                        new SearchCache(searchSettings, deps.redis(), guard, metrics.registry()),
                        searchCounts,
                        new QueryEmbeddings(
                                model ->
                                        model.equals(deps.embedder().modelInfo().name())
                                                ? deps.embedder()
                                                : Embedders.shared(config, model),
                                deps.redis(),
                                guard,
                                searchSettings.embeddingTtl(),
                                metrics.registry()),
                        tenantModels,
                        new ResultMerger(Fusion.from(config)),
                        metrics.registry());
        this.search = new SearchController(searchService);
        this.warmup =
                new CacheWarmup(
                        searchService,
                        searchCounts,
                        http.keys().tenants(),
                        searchSettings.warmupQueries(),
                        searchSettings.warmupTimeout());

        EventSettings eventSettings = EventSettings.from(config);
        this.fanout = new StatusFanout(deps.statusConsumer(), eventSettings.statusTopic());
        owned.add(
                new MigrationProgress(
                        fanout,
                        tenantModels,
                        migrations,
                        config.get(EmbeddingOptions.TENANT_MODELS_REFRESH)));
        this.events = new EventsSocket(eventSettings, directory, fanout, metrics.registry());
        owned.add(events);

        this.deletion =
                new TenantDeletion(
                        config,
                        deps.producer(),
                        catalog,
                        deps.store(),
                        deps.redis(),
                        fanout,
                        tenantsRefresh);
        owned.add(deletion);
        this.admin =
                new AdminController(
                        config.get(ApiOptions.OPERATOR_KEY_HASH),
                        catalog,
                        directory,
                        deletion,
                        Clock.systemUTC());
        this.tenant = new TenantController(directory, usage, models::view);

        List<HealthController.Check> readiness =
                new ArrayList<>(
                        HealthController.dependencies(
                                deps.kafkaAdmin(),
                                documentSettings.documentsTopic(),
                                deps.redis(),
                                deps.store()));
        // not ready until the cache is warm (or the warm-up ran out of time)
        readiness.add(
                new HealthController.Check(
                        "cache-warmup",
                        () -> {
                            if (!warmup.done()) {
                                throw new IllegalStateException("warming");
                            }
                        }));
        this.health = new HealthController(readiness, http.retryAfterSeconds());
        owned.add(health);
    }

    /** The server with the real clients of {@code config} and the system clock. */
    public static ApiServer create(KbConfig config) {
        return create(config, Clock.systemUTC());
    }

    /** The server with the real clients of {@code config}, stamping uploads by {@code clock}. */
    public static ApiServer create(KbConfig config, Clock clock) {
        return new ApiServer(config, Dependencies.open(config, clock));
    }

    /** Every route of the API, in one place. */
    void routes() {
        before("/v1/*", auth::authenticate);
        get("/v1/documents", documents::list);
        post("/v1/documents", documents::create);
        put("/v1/documents/{id}", documents::replace);
        get("/v1/documents/{id}", documents::status);
        delete("/v1/documents/{id}", documents::delete);
        get("/v1/tenant/model", models::show);
        get("/v1/search", search::searchGet);
        post("/v1/search", search::searchPost);
        ws("/v1/events", events::configure);
        get("/v1/tenant", tenant::show);
        before("/admin/*", admin::authenticate);
        post("/admin/v1/tenants", admin::createTenant);
        get("/admin/v1/tenants", admin::listTenants);
        get("/admin/v1/tenants/{tenant}", admin::getTenant);
        delete("/admin/v1/tenants/{tenant}", admin::deleteTenant);
        put("/admin/v1/tenants/{tenant}/quotas", admin::setQuotas);
        post("/admin/v1/tenants/{tenant}/keys", admin::createKey);
        get("/admin/v1/tenants/{tenant}/keys", admin::listKeys);
        delete("/admin/v1/tenants/{tenant}/keys/{prefix}", admin::revokeKey);
        get("/metrics", metrics::scrape);
        get("/health/live", health::live);
        get("/health/ready", health::ready);
    }

    /** Starts on {@code kb.api.host}:{@code kb.api.port}. */
    public ApiServer start() {
        return start(http.port());
    }

    /** Starts on the given port (0: any free port, see {@link #port()}). */
    public synchronized ApiServer start(int port) {
        fanout.start(Duration.ofSeconds(10));
        searchCounts.start();
        warmup.start();
        deletion.resumePending();
        app = Javalin.create(this::configure);
        app.start(http.host(), port);
        LOG.info("query API listening on {}:{}", http.host(), app.port());
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

    /** The registry every feature's meters are in (served on {@code /metrics}). */
    public MeterRegistry metrics() {
        return metrics.registry();
    }

    public synchronized void stop() {
        if (app != null) {
            app.stop();
            app = null;
        }
        fanout.close();
        warmup.close();
        // before Redis is closed: the counts of this instance's last second go there
        searchCounts.close();
        // users before what they use: the read routes' background lag checks before the store
        Collections.reverse(owned);
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
        cfg.jetty.multipartConfig.maxFileSize(uploads.maxContentBytes(), SizeUnit.BYTES);
        cfg.jetty.multipartConfig.maxTotalRequestSize(uploads.maxRequestBytes(), SizeUnit.BYTES);
        cfg.jetty.multipartConfig.maxInMemoryFileSize(1, SizeUnit.MB);
        ErrorMapper.install(cfg);
        // the web console: plain files from the jar, served only where no route matched, so
        // they never shadow /v1, /metrics or /health; unknown paths still get the JSON 404
        cfg.staticFiles.add(
                files -> {
                    files.hostedPath = "/";
                    files.directory = "/console";
                    files.location = Location.CLASSPATH;
                    // the page loads nothing from elsewhere and talks only to this origin
                    files.headers =
                            Map.of(
                                    "Content-Security-Policy",
                                    "default-src 'self'; connect-src 'self' ws: wss:;"
                                            + " frame-ancestors 'none'",
                                    "X-Content-Type-Options",
                                    "nosniff",
                                    "Cache-Control",
                                    "no-cache");
                });
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
        cfg.requestLogger.http(metrics::record);
        cfg.router.apiBuilder(this::routes);
    }
}
