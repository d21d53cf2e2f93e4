package io.kbstream.api.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.websocket.WsCloseContext;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import io.kbstream.api.http.Json;
import io.kbstream.api.http.TenantDirectory;
import io.kbstream.api.resilience.BoundedPools;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.WriteCallback;

/**
 * {@code /v1/events}: a WebSocket pushing the caller's tenant's status changes. The key comes in
 * the {@code Authorization} header or as the first message {@code {"apiKey": "..."}} (browsers
 * cannot set headers); without a valid key within the auth timeout the socket is closed with 1008.
 * Each client has a bounded queue drained by asynchronous sends, one at a time; a client whose
 * queue overflows is closed with 1013 (try again later) and never slows the others.
 */
public final class EventsSocket implements AutoCloseable {

    static final int POLICY_VIOLATION = 1008;
    static final int TRY_AGAIN_LATER = 1013;

    private final TenantDirectory keys;
    private final StatusFanout fanout;
    private final int queueSize;
    private final Duration authTimeout;
    private final ScheduledExecutorService timer = BoundedPools.timer("kb-ws-timer");
    private final Map<String, Client> clients = new ConcurrentHashMap<>();

    public EventsSocket(
            EventSettings settings,
            TenantDirectory keys,
            StatusFanout fanout,
            MeterRegistry metrics) {
        this.keys = keys;
        this.fanout = fanout;
        this.queueSize = settings.queueSize();
        this.authTimeout = settings.authTimeout();
        Gauge.builder("kb.api.events.clients", this, EventsSocket::connected)
                .description("WebSocket clients subscribed to status events")
                .register(metrics);
    }

    /** The socket's handlers, for {@code ws("/v1/events", events::configure)}. */
    public void configure(WsConfig ws) {
        ws.onConnect(this::onConnect);
        ws.onMessage(this::onMessage);
        ws.onClose(this::onClose);
        ws.onError(ctx -> drop(ctx.sessionId()));
    }

    void onConnect(WsConnectContext ctx) {
        ctx.session.setIdleTimeout(Duration.ofHours(1));
        String header = ctx.header("Authorization");
        if (header != null) {
            authenticate(ctx, keys.tenantOfHeader(header));
            return;
        }
        timer.schedule(
                () -> {
                    if (!clients.containsKey(ctx.sessionId()) && ctx.session.isOpen()) {
                        ctx.closeSession(POLICY_VIOLATION, "no API key");
                    }
                },
                authTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void onMessage(WsMessageContext ctx) {
        if (clients.containsKey(ctx.sessionId())) {
            return; // the stream is one-way once subscribed; client messages are ignored
        }
        Optional<String> tenant = Optional.empty();
        try {
            JsonNode key = Json.MAPPER.readTree(ctx.message()).get("apiKey");
            if (key != null && key.isTextual()) {
                tenant = keys.tenantOf(key.textValue());
            }
        } catch (Exception e) {
            // not JSON: treated as a missing key
        }
        authenticate(ctx, tenant);
    }

    void onClose(WsCloseContext ctx) {
        drop(ctx.sessionId());
    }

    private void authenticate(WsContext ctx, Optional<String> tenant) {
        if (tenant.isEmpty()) {
            ctx.closeSession(POLICY_VIOLATION, "invalid API key");
            return;
        }
        // the greeting is sent (blocking) before subscribing, so it never overlaps async sends
        ctx.send(Map.of("type", "subscribed", "tenant", tenant.get()));
        Client client = new Client(ctx, tenant.get(), new ArrayBlockingQueue<>(queueSize));
        clients.put(ctx.sessionId(), client);
        fanout.subscribe(client.tenant, client);
    }

    private void drop(String sessionId) {
        Client client = clients.remove(sessionId);
        if (client != null) {
            fanout.unsubscribe(client.tenant, client);
        }
    }

    /** How many sockets are subscribed (tests, metrics). */
    public int connected() {
        return clients.size();
    }

    /** Stops the auth timeouts; the sockets themselves close with the server. */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One subscribed socket: a bounded queue and at most one send in flight. */
    private final class Client implements Consumer<String> {
        final WsContext ctx;
        final String tenant;
        final BlockingQueue<String> queue;
        final AtomicBoolean sending = new AtomicBoolean();

        Client(WsContext ctx, String tenant, BlockingQueue<String> queue) {
            this.ctx = ctx;
            this.tenant = tenant;
            this.queue = queue;
        }

        @Override
        public void accept(String json) {
            if (!queue.offer(json)) {
                drop(ctx.sessionId());
                ctx.closeSession(TRY_AGAIN_LATER, "client too slow");
                return;
            }
            drain();
        }

        private void drain() {
            while (!queue.isEmpty() && sending.compareAndSet(false, true)) {
                String next = queue.poll();
                if (next == null) {
                    sending.set(false);
                    continue;
                }
                if (!ctx.session.isOpen()) {
                    drop(ctx.sessionId());
                    return;
                }
                ctx.session
                        .getRemote()
                        .sendString(
                                next,
                                new WriteCallback() {
                                    @Override
                                    public void writeSuccess() {
                                        sending.set(false);
                                        drain();
                                    }

                                    @Override
                                    public void writeFailed(Throwable x) {
                                        sending.set(false);
                                        drop(ctx.sessionId());
                                    }
                                });
                return;
            }
        }
    }
}
