package io.kbstream.benchmark.baseline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.kbstream.api.documents.Upload;
import io.kbstream.api.documents.UploadParser;
import io.kbstream.api.http.ApiException;
import io.kbstream.api.http.ApiKeys;
import io.kbstream.api.http.ErrorMapper;
import io.kbstream.api.http.Json;
import io.kbstream.api.search.Fusion;
import io.kbstream.api.search.ResultMerger;
import io.kbstream.api.search.SearchHit;
import io.kbstream.api.search.SearchMode;
import io.kbstream.api.search.SearchRequest;
import io.kbstream.api.search.SearchResponse;
import io.kbstream.core.chunk.Chunk;
import io.kbstream.core.chunk.Chunker;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.extract.TextExtractor;
import io.kbstream.core.store.Bm25Settings;
import io.kbstream.core.store.ChunkHit;
import io.kbstream.core.store.ChunkRow;
import io.kbstream.core.store.IndexedDocument;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.StoredDocument;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The synchronous design the event-driven one replaces, for the side-by-side benchmark only (not
 * part of the product): the same core library used the naive way. An upload extracts, chunks,
 * embeds and upserts on the request thread and answers when the document is in its shard; a search
 * embeds the query and asks every shard in turn. It keeps the query API's in-process result cache
 * (Caffeine, the same size and TTL, invalidated by each upload to the tenant), so a comparison of
 * repeated searches compares the designs, not a cache with none. Same contract as the query API
 * ({@code POST /v1/documents}, {@code GET /v1/documents/{id}}, {@code GET|POST /v1/search}, bearer
 * keys from {@code kb.api.keys}), same model and shards.
 *
 * <p>Run it as its own process: {@code SyncBaselineServer --port 25490}.
 */
public final class SyncBaselineServer implements AutoCloseable {

    private final ApiKeys keys;
    private final ShardedStore store;
    private final Embedder embedder;
    private final Chunker chunker;
    private final TextExtractor extractor = TextExtractor.create();
    private final UploadParser parser;
    private final ResultMerger merger;
    private final int efSearch;
    private final Bm25Settings bm25;
    private final int exactBelowChunks;
    // versions only need to grow per document; wall-clock micros plus a counter do that here
    private final AtomicLong versions = new AtomicLong(System.currentTimeMillis() * 1000);
    // the tenant's index generation, bumped by each upload as the pipeline bumps it in Redis
    private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();
    private final Cache<String, List<SearchHit>> cache;
    private Javalin app;

    public SyncBaselineServer(KbConfig config) {
        this.keys = ApiKeys.parse(config.get(ApiOptions.KEYS));
        this.store = ShardedStore.open(config);
        this.embedder = Embedders.shared(config);
        this.chunker = Chunker.forConfig(config);
        this.parser = new UploadParser(config.get(ApiOptions.MAX_UPLOAD_BYTES));
        this.merger = new ResultMerger(Fusion.from(config));
        this.efSearch = config.get(PostgresOptions.EF_SEARCH);
        this.bm25 = Bm25Settings.fromConfig(config);
        this.exactBelowChunks = config.get(PostgresOptions.EXACT_BELOW_CHUNKS);
        this.cache =
                Caffeine.newBuilder()
                        .maximumSize(config.get(ApiOptions.CACHE_L1_SIZE))
                        .expireAfterWrite(config.get(ApiOptions.CACHE_L1_TTL))
                        .build();
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            }
        }
        SyncBaselineServer server = new SyncBaselineServer(KbConfig.load()).start(port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("synchronous baseline listening on 127.0.0.1:" + server.port());
    }

    public synchronized SyncBaselineServer start(int port) {
        app =
                Javalin.create(
                        cfg -> {
                            cfg.showJavalinBanner = false;
                            cfg.startupWatcherEnabled = false;
                            cfg.http.maxRequestSize = parser.maxRequestBytes();
                            cfg.router.apiBuilder(this::routes);
                            ErrorMapper.install(cfg);
                        });
        app.start("127.0.0.1", port);
        return this;
    }

    public int port() {
        return app.port();
    }

    private void routes() {
        io.javalin.apibuilder.ApiBuilder.before("/v1/*", this::authenticate);
        io.javalin.apibuilder.ApiBuilder.post("/v1/documents", this::upload);
        io.javalin.apibuilder.ApiBuilder.get("/v1/documents/{id}", this::status);
        io.javalin.apibuilder.ApiBuilder.get("/v1/search", this::searchGet);
        io.javalin.apibuilder.ApiBuilder.post("/v1/search", this::searchPost);
        io.javalin.apibuilder.ApiBuilder.get("/health/live", ctx -> ctx.result("ok"));
    }

    private void authenticate(Context ctx) {
        String tenant =
                keys.tenantOfHeader(ctx.header("Authorization"))
                        .orElseThrow(ApiException::unauthorized);
        ctx.attribute("tenant", tenant);
    }

    /** Extract, chunk, embed and upsert on this thread; answer once the shard has it. */
    private void upload(Context ctx) {
        String tenant = ctx.attribute("tenant");
        Upload upload = parser.parse(ctx, null);
        json(ctx.status(202), index(tenant, upload));
    }

    Map<String, Object> index(String tenant, Upload upload) {
        String text;
        try {
            text = extractor.extract(upload.content(), upload.contentType());
        } catch (Exception e) {
            throw ApiException.badRequest("cannot extract text: " + e.getMessage());
        }
        List<Chunk> chunks = chunker.chunk(text);
        List<String> texts = chunks.stream().map(Chunk::text).toList();
        float[][] vectors = texts.isEmpty() ? new float[0][] : embedder.embed(texts);
        List<ChunkRow> rows = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            rows.add(new ChunkRow(c.index(), c.text(), c.startChar(), c.endChar(), vectors[i]));
        }
        long version = versions.incrementAndGet();
        store.upsert(
                List.of(
                        new IndexedDocument(
                                tenant,
                                upload.id(),
                                version,
                                SearchRequest.sha256(text),
                                upload.title(),
                                upload.metadata(),
                                embedder.modelInfo().name(),
                                rows)));
        generation(tenant).incrementAndGet();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", upload.id());
        body.put("version", version);
        body.put("status", "INDEXED");
        body.put("chunkCount", rows.size());
        body.put("statusUrl", "/v1/documents/" + upload.id());
        return body;
    }

    private void status(Context ctx) {
        String tenant = ctx.attribute("tenant");
        StoredDocument d =
                store.find(tenant, ctx.pathParam("id"))
                        .orElseThrow(() -> ApiException.notFound("no document with this id"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", d.id());
        body.put("version", d.version());
        body.put("status", d.status());
        body.put("chunkCount", d.chunkCount());
        json(ctx, body);
    }

    private void searchGet(Context ctx) {
        SearchRequest request =
                SearchRequest.fromQueryParams(
                        ctx.queryParam("q"), ctx.queryParam("k"), ctx.queryParam("mode"));
        json(ctx, search(ctx.attribute("tenant"), request));
    }

    private void searchPost(Context ctx) {
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes(64 * 1024);
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body");
        }
        json(ctx, search(ctx.attribute("tenant"), SearchRequest.fromJson(body)));
    }

    private AtomicLong generation(String tenant) {
        return generations.computeIfAbsent(tenant, t -> new AtomicLong());
    }

    /** The in-process cache, else embed, every shard one after another, the same merge. */
    SearchResponse search(String tenant, SearchRequest request) {
        long start = System.nanoTime();
        String key = tenant + ":" + generation(tenant).get() + ":" + request.cacheKey();
        List<SearchHit> cached = cache.getIfPresent(key);
        if (cached != null) {
            return new SearchResponse(cached, false, true, millisSince(start));
        }
        SearchResponse answer = searchShards(tenant, request, start);
        cache.put(key, answer.results());
        return answer;
    }

    private SearchResponse searchShards(String tenant, SearchRequest request, long start) {
        boolean vector = request.mode() != SearchMode.KEYWORD;
        boolean keyword = request.mode() != SearchMode.VECTOR;
        float[] q = vector ? embedder.embedQuery(request.query()) : null;
        int candidates = Math.min(request.k() * 3, 300);
        List<List<ChunkHit>> vectorHits = new ArrayList<>();
        List<List<ChunkHit>> keywordHits = new ArrayList<>();
        for (int shard = 0; shard < store.shardCount(); shard++) {
            if (vector) {
                vectorHits.add(
                        store.vectorSearch(
                                shard,
                                tenant,
                                q,
                                candidates,
                                request.filter(),
                                Math.max(efSearch, candidates),
                                exactBelowChunks));
            }
        }
        if (keyword) {
            keywordHits.add(
                    store.keywordSearch(
                            tenant, request.query(), candidates, request.filter(), bm25));
        }
        List<ChunkHit> v = ResultMerger.bestChunkPerDocument(vectorHits);
        List<ChunkHit> k = ResultMerger.bestChunkPerDocument(keywordHits);
        List<SearchHit> hits =
                switch (request.mode()) {
                    case VECTOR -> merger.single(v, request.k(), request.query());
                    case KEYWORD -> merger.single(k, request.k(), request.query());
                    case HYBRID -> merger.fuse(v, k, request.k(), request.query());
                };
        return new SearchResponse(hits, false, false, millisSince(start));
    }

    private static double millisSince(long start) {
        return Math.round((System.nanoTime() - start) / 10_000.0) / 100.0;
    }

    private static void json(Context ctx, Object body) {
        try {
            ctx.contentType("application/json")
                    .result(Json.MAPPER.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (app != null) {
            app.stop();
            app = null;
        }
        store.close();
    }
}
