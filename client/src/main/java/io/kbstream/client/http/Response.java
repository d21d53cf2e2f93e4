package io.kbstream.client.http;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** An HTTP answer as received: status code, headers and the body's bytes. */
public record Response(int statusCode, HttpHeaders headers, byte[] bytes) {

    /** The body as UTF-8 text. */
    public String body() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A 2xx answer. */
    public boolean ok() {
        return statusCode / 100 == 2;
    }

    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }
}
