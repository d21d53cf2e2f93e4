package io.kbstream.client.http;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request as the {@link HttpTransport} sends it: method, URI, headers, an optional body
 * and a timeout. Immutable; each setter returns a copy. Nothing is added behind the caller's back
 * (no auth, no content type), which is what a fuzzer needs to send deliberately odd requests.
 */
public final class Request {

    /** What a request waits for its answer unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final String method;
    private final URI uri;
    private final Map<String, String> headers;
    private final Body body;
    private final Duration timeout;

    private Request(
            String method, URI uri, Map<String, String> headers, Body body, Duration timeout) {
        this.method = Objects.requireNonNull(method, "method");
        this.uri = Objects.requireNonNull(uri, "uri");
        this.headers = Map.copyOf(headers);
        this.body = body;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    public static Request of(String method, URI uri) {
        return new Request(method, uri, Map.of(), null, DEFAULT_TIMEOUT);
    }

    public static Request get(URI uri) {
        return of("GET", uri);
    }

    /** The same request with one more header (a null value leaves it out). */
    public Request header(String name, String value) {
        if (value == null) {
            return this;
        }
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new Request(method, uri, copy, body, timeout);
    }

    /** The same request with this body and its Content-Type (null: no header). */
    public Request body(String contentType, byte[] bytes) {
        return new Request(method, uri, headers, Body.of(bytes), timeout)
                .header("Content-Type", contentType);
    }

    /** The same request with a UTF-8 JSON body. */
    public Request json(String json) {
        return body("application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** The same request with a multipart/form-data body (streamed when it holds files). */
    public Request body(Multipart multipart) {
        return new Request(method, uri, headers, multipart::publisher, timeout)
                .header("Content-Type", multipart.contentType());
    }

    public Request timeout(Duration timeout) {
        return new Request(method, uri, headers, body, timeout);
    }

    public String method() {
        return method;
    }

    public URI uri() {
        return uri;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * The JDK request. Throws {@link IllegalArgumentException} for a method, header or URI the JDK
     * client refuses to send (a fuzzer then writes it on a socket itself).
     */
    HttpRequest toHttpRequest() {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri)
                        .timeout(timeout)
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : body.publisher());
        headers.forEach(b::header);
        return b.build();
    }

    @Override
    public String toString() {
        return method + " " + uri;
    }

    /** A body, made anew for every send (a retried request sends it again). */
    interface Body {
        HttpRequest.BodyPublisher publisher();

        static Body of(byte[] bytes) {
            byte[] copy = bytes.clone();
            return () -> HttpRequest.BodyPublishers.ofByteArray(copy);
        }
    }
}
