package io.kbstream.client.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The one HTTP transport of kb-stream's clients (the API client and the Flink REST client): a JDK
 * {@link HttpClient} speaking HTTP/1.1 with a connect timeout, sending {@link Request}s and
 * returning {@link Response}s with the whole body. One transport holds one connection pool; share
 * it.
 */
public final class HttpTransport {

    private final HttpClient http;

    public HttpTransport(Duration connectTimeout) {
        // HTTP/1.1: the API and Flink's REST server speak it; h2c upgrade attempts only cost time
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(connectTimeout)
                        .build();
    }

    /**
     * Sends and waits for the answer. {@link java.net.http.HttpTimeoutException} (an {@link
     * IOException}) when none came within the request's timeout; {@link IllegalArgumentException}
     * when the JDK refuses the method, a header or the URI.
     */
    public Response send(Request request) throws IOException, InterruptedException {
        HttpResponse<byte[]> r =
                http.send(request.toHttpRequest(), HttpResponse.BodyHandlers.ofByteArray());
        return new Response(r.statusCode(), r.headers(), r.body());
    }

    /**
     * Sends without blocking; the future fails with the IOException a blocking send would throw.
     */
    public CompletableFuture<Response> sendAsync(Request request) {
        return http.sendAsync(request.toHttpRequest(), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> new Response(r.statusCode(), r.headers(), r.body()));
    }

    /**
     * Opens a WebSocket ({@code ws://}) with these handshake headers; {@code timeout} bounds the
     * whole opening handshake (a request and its answer, so the request timeout, not the connect
     * timeout: a busy server may take a few seconds to answer the upgrade).
     */
    public CompletableFuture<WebSocket> webSocket(
            URI uri, Map<String, String> headers, Duration timeout, WebSocket.Listener listener) {
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(timeout);
        headers.forEach(b::header);
        return b.buildAsync(uri, listener);
    }
}
