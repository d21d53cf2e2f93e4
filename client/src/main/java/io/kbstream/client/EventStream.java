package io.kbstream.client;

import io.kbstream.client.http.HttpTransport;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The {@code /v1/events} WebSocket: the server first sends {@code {"type":"subscribed",...}}, then
 * one status JSON per change of the tenant's documents. Text messages are kept in a bounded queue
 * (the oldest is dropped when it is full, and counted) until {@link #await} takes them; {@link
 * #closed()} completes with the server's close code.
 */
public final class EventStream implements WebSocket.Listener, AutoCloseable {

    /** Messages kept for {@link #await}; a reader that falls this far behind loses the oldest. */
    public static final int CAPACITY = 10_000;

    private final LinkedBlockingDeque<String> messages = new LinkedBlockingDeque<>(CAPACITY);
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final AtomicLong dropped = new AtomicLong();
    private final StringBuilder partial = new StringBuilder();
    private final boolean autoRead;
    private WebSocket socket;

    private EventStream(boolean autoRead) {
        this.autoRead = autoRead;
    }

    /**
     * Connects. {@code authorization} is the whole header value, or null to authenticate by a first
     * message ({@link #send}); with {@code autoRead} false nothing is read until {@link #request}
     * (a slow client).
     */
    static EventStream open(
            HttpTransport transport,
            URI uri,
            String authorization,
            boolean autoRead,
            java.time.Duration handshakeTimeout) {
        EventStream stream = new EventStream(autoRead);
        Map<String, String> headers =
                authorization == null ? Map.of() : Map.of("Authorization", authorization);
        try {
            stream.socket = transport.webSocket(uri, headers, handshakeTimeout, stream).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new ApiException("WebSocket " + uri, e.getCause());
        }
        return stream;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            while (!messages.offerLast(partial.toString())) {
                messages.pollFirst();
                dropped.incrementAndGet();
            }
            partial.setLength(0);
        }
        if (autoRead) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    /**
     * Takes messages until one contains {@code needle}; that one, or null after {@code seconds}.
     */
    public String await(String needle, int seconds) throws InterruptedException {
        return await(m -> m.contains(needle), Duration.ofSeconds(seconds)).orElse(null);
    }

    /** Takes messages until one matches; empty after {@code timeout}. */
    public Optional<String> await(Predicate<String> match, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String m = messages.pollFirst(100, TimeUnit.MILLISECONDS);
            if (m != null && match.test(m)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /**
     * Takes messages until a status matching {@code match} arrives; empty after {@code timeout}.
     */
    public Optional<DocumentStatus> awaitStatus(Predicate<DocumentStatus> match, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String m = messages.pollFirst(100, TimeUnit.MILLISECONDS);
            if (m == null) {
                continue;
            }
            Optional<DocumentStatus> status = Json.statusEvent(m);
            if (status.isPresent() && match.test(status.get())) {
                return status;
            }
        }
        return Optional.empty();
    }

    /** The messages received and not yet taken, oldest first. */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    /** Messages lost because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Completes with the close code the server sent. */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** Lets {@code n} more messages in (for a stream opened without auto-read). */
    public void request(long n) {
        socket.request(n);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }
}
