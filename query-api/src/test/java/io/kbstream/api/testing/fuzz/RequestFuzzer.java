package io.kbstream.api.testing.fuzz;

import io.kbstream.api.testing.Bodies;
import io.kbstream.core.testing.TestDocuments;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Generates requests at every HTTP endpoint from a seed: search (POST body and GET query), upload
 * (JSON and multipart), status/replace/delete by hostile ids, wrong methods and keys, oversized
 * bodies, and malformed HTTP on the wire. About one in five bodies is also damaged byte by byte.
 */
public final class RequestFuzzer {

    private final Hostile h;
    private final String bearer;
    private final int maxUploadBytes;

    /** Listing parameters: good ones and near misses. */
    private static final List<String> STATUSES =
            List.of("INDEXED", "failed", "Accepted", "PROCESSING", "DELETED", "", "INDEXED,FAILED");

    private static final List<String> LIMITS =
            List.of("1", "1000", "1001", "0", "-1", "2147483648", "1e3", "ten", "", " 5", "0x10");

    /**
     * @param bearer the {@code Authorization} value of a valid key
     * @param maxUploadBytes the server's upload limit, to step over it
     */
    public RequestFuzzer(long seed, String bearer, int maxUploadBytes) {
        this.h = new Hostile(new Random(seed));
        this.bearer = bearer;
        this.maxUploadBytes = maxUploadBytes;
    }

    public FuzzRequest next() {
        FuzzRequest r =
                switch (h.random().nextInt(11)) {
                    case 0, 1 -> searchPost();
                    case 2 -> searchGet();
                    case 3, 4 -> uploadJson();
                    case 5 -> uploadMultipart();
                    case 6 -> byId();
                    case 7 -> wrongAuthOrRoute();
                    case 8 -> oversized();
                    case 9 -> listDocuments();
                    default -> malformedHttp();
                };
        if (r.body() != null && r.body().length > 0 && h.chance(5)) {
            return FuzzRequest.http(
                    r.kind() + "+damaged",
                    r.method(),
                    r.target(),
                    r.authorization(),
                    r.contentType(),
                    h.damage(r.body()));
        }
        return r;
    }

    private FuzzRequest searchPost() {
        List<String> fields = new ArrayList<>();
        if (!h.chance(8)) {
            fields.add(field("query", h.chance(3) ? h.anyJson() : Hostile.quote(query())));
        }
        if (h.chance(2)) {
            fields.add(field("k", h.pick(Hostile.K_TOKENS)));
        }
        if (h.chance(2)) {
            fields.add(
                    field(
                            "mode",
                            h.chance(5) ? h.anyJson() : Hostile.quote(h.pick(Hostile.MODES))));
        }
        if (h.chance(3)) {
            fields.add(field("filter", filter()));
        }
        if (h.chance(6)) {
            // a client trying to send its own embedding, of any dimension, or to pick a tenant
            fields.add(
                    field(
                            h.pick(List.of("vector", "embedding", "tenant", "query_vector")),
                            h.chance(3) ? Hostile.quote("ta") : h.vector()));
        }
        if (h.chance(10)) {
            fields.add(field("query", h.vector())); // a vector where the text goes
        }
        return json("search-post", "POST", "/v1/search", object(fields));
    }

    private String query() {
        return h.chance(10) ? h.longString(1 + h.random().nextInt(4000)) : h.string();
    }

    private String filter() {
        List<String> entries = new ArrayList<>();
        int n = h.chance(10) ? 20 : 1 + h.random().nextInt(3);
        for (int i = 0; i < n; i++) {
            String key =
                    switch (h.random().nextInt(4)) {
                        case 0 -> "metadata." + h.string();
                        case 1 -> h.pick(List.of("tenant", "metadata.", "id", "metadata.tenant"));
                        case 2 -> "metadata." + h.longString(200);
                        default -> "metadata.lang";
                    };
            entries.add(field(key, h.chance(2) ? Hostile.quote(h.string()) : h.anyJson()));
        }
        return object(entries);
    }

    private FuzzRequest searchGet() {
        StringBuilder q = new StringBuilder("/v1/search?");
        if (!h.chance(8)) {
            q.append("q=").append(h.urlPart(query()));
        }
        if (h.chance(2)) {
            q.append("&k=").append(h.urlPart(h.pick(Hostile.K_TOKENS)));
        }
        if (h.chance(2)) {
            q.append("&mode=").append(h.urlPart(h.pick(Hostile.MODES)));
        }
        if (h.chance(6)) {
            q.append("&q=").append(h.urlPart(h.string())).append("&k=1&k=2"); // repeated
        }
        return FuzzRequest.http("search-get", "GET", q.toString(), bearer, null, null);
    }

    /** {@code GET /v1/documents} with good and hostile status, cursor and limit values. */
    private FuzzRequest listDocuments() {
        StringBuilder q = new StringBuilder("/v1/documents?");
        if (h.chance(2)) {
            q.append("status=").append(h.urlPart(h.pick(STATUSES)));
        }
        if (h.chance(2)) {
            q.append("&cursor=").append(h.urlPart(cursor()));
        }
        if (h.chance(2)) {
            q.append("&limit=").append(h.urlPart(h.pick(LIMITS)));
        }
        if (h.chance(6)) {
            q.append("&status=").append(h.urlPart(h.string())).append("&limit=1&limit=0");
        }
        return FuzzRequest.http("list-get", "GET", q.toString(), bearer, null, null);
    }

    /** Cursors as this API writes them (of good and hostile ids), and anything else. */
    private String cursor() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return switch (h.random().nextInt(6)) {
            case 0 -> b64.encodeToString(utf8("1:" + id()));
            case 1 -> b64.encodeToString(utf8("1:" + h.string()));
            case 2 -> b64.encodeToString(utf8("2:" + id()));
            case 3 -> {
                byte[] raw = new byte[1 + h.random().nextInt(64)];
                h.random().nextBytes(raw);
                yield b64.encodeToString(raw);
            }
            case 4 -> h.longString(1 + h.random().nextInt(5000));
            default -> h.string();
        };
    }

    private FuzzRequest uploadJson() {
        List<String> fields = new ArrayList<>();
        if (!h.chance(8)) {
            // accepted uploads stay short: they are indexed by the real pipeline afterwards
            fields.add(field("text", h.chance(4) ? h.anyJson() : Hostile.quote(h.string())));
        }
        if (h.chance(3)) {
            fields.add(field("id", h.chance(2) ? Hostile.quote(h.string()) : h.anyJson()));
        }
        if (h.chance(3)) {
            fields.add(
                    field(
                            "title",
                            h.chance(5)
                                    ? Hostile.quote(h.longString(1001))
                                    : Hostile.quote(h.string())));
        }
        if (h.chance(3)) {
            fields.add(
                    field(
                            "contentType",
                            Hostile.quote(
                                    h.pick(
                                            List.of(
                                                    "text/plain",
                                                    "text/html",
                                                    "application/pdf",
                                                    "text/plain; charset=x-unknown",
                                                    "application/octet-stream",
                                                    h.string())))));
        }
        if (h.chance(3)) {
            fields.add(field("metadata", h.chance(2) ? filter() : h.anyJson()));
        }
        if (h.chance(8)) {
            fields.add(field(h.pick(List.of("tenant", "embedding", "version")), h.vector()));
        }
        String path = h.chance(2) ? "/v1/documents" : "/v1/documents/" + h.urlPart(id());
        return json(
                "upload-json", path.equals("/v1/documents") ? "POST" : "PUT", path, object(fields));
    }

    private FuzzRequest uploadMultipart() {
        byte[] file =
                switch (h.random().nextInt(6)) {
                    case 0 -> TestDocuments.truncatedPdf();
                    case 1 -> TestDocuments.binaryAsText();
                    case 2 -> TestDocuments.invalidUtf8();
                    case 3 -> new byte[0];
                    default -> TestDocuments.utf8(h.string());
                };
        String fileType =
                h.pick(List.of("text/plain", "application/pdf", "image/png", "", h.string()));
        String name = h.chance(2) ? "doc.txt" : h.string().replace("\"", "'") + ".pdf";
        List<String> fields = new ArrayList<>();
        if (h.chance(3)) {
            fields.addAll(List.of("metadata", h.chance(2) ? filter() : h.string()));
        }
        if (h.chance(3)) {
            fields.addAll(List.of("contentType", h.pick(List.of("text/markdown", h.string()))));
        }
        if (h.chance(4)) {
            fields.addAll(List.of("id", h.string()));
        }
        byte[] body = Bodies.multipart(name, fileType, file, fields.toArray(String[]::new));
        String type =
                h.chance(8)
                        ? "multipart/form-data; boundary=" + h.string().replace("\r\n", "")
                        : Bodies.multipartType();
        return FuzzRequest.http("upload-multipart", "POST", "/v1/documents", bearer, type, body);
    }

    private String id() {
        return switch (h.random().nextInt(4)) {
            case 0 -> h.pick(Hostile.TRAVERSAL);
            case 1 -> h.longString(h.chance(2) ? 256 : 257 + h.random().nextInt(2000));
            default -> h.string();
        };
    }

    private FuzzRequest byId() {
        String method = h.pick(List.of("GET", "DELETE", "PUT"));
        String path = "/v1/documents/" + h.urlPart(id());
        byte[] body =
                method.equals("PUT") ? utf8("{\"text\":" + Hostile.quote(h.string()) + "}") : null;
        return FuzzRequest.http(
                "by-id", method, path, bearer, body == null ? null : "application/json", body);
    }

    private FuzzRequest wrongAuthOrRoute() {
        String auth =
                h.pick(
                        List.of(
                                "Bearer",
                                "Bearer ",
                                bearer + "x",
                                bearer.toLowerCase(),
                                "Basic dXNlcjpwYXNz",
                                "Bearer " + "k".repeat(600),
                                "Bearer ' OR '1'='1",
                                bearer));
        String method = h.pick(List.of("PATCH", "OPTIONS", "HEAD", "TRACE", "DELETE", "POST"));
        String path =
                h.pick(
                        List.of(
                                "/v1/search",
                                "/v1/documents",
                                "/v1/documents/",
                                "/v1/documents/a/b",
                                "/v1//search",
                                "/v1/events",
                                "/metrics",
                                "/health/ready",
                                "/v2/search",
                                "/v1/search/../documents",
                                "/v1/tenant",
                                "/admin/v1/tenants",
                                "/admin/v1/tenants/" + h.urlPart(h.string()) + "/keys",
                                "/" + h.urlPart(h.string())));
        return FuzzRequest.http(
                "auth-route",
                method,
                path,
                h.chance(4) ? null : auth,
                "application/json",
                method.equals("POST") ? utf8("{\"query\":\"x\"}") : null);
    }

    private FuzzRequest oversized() {
        int size = maxUploadBytes + 1 + h.random().nextInt(maxUploadBytes);
        if (h.chance(2)) {
            String text = h.longString(size);
            return json(
                    "oversized",
                    "POST",
                    h.chance(2) ? "/v1/documents" : "/v1/search",
                    "{\"text\":" + Hostile.quote(text) + ",\"query\":\"x\"}");
        }
        byte[] file = new byte[size];
        h.random().nextBytes(file);
        return FuzzRequest.http(
                "oversized",
                "POST",
                "/v1/documents",
                bearer,
                Bodies.multipartType(),
                Bodies.multipart("big.txt", "text/plain", file));
    }

    /** Requests no client library would send: bad request lines, headers, framing. */
    private FuzzRequest malformedHttp() {
        String auth = "Authorization: " + bearer + "\r\n";
        String request =
                switch (h.random().nextInt(12)) {
                    case 0 -> "GET /v1/search?q=%zz%&k=%%31 HTTP/1.1\r\n" + auth;
                    case 1 -> "GET /v1/documents/%ff%fe%c3%28 HTTP/1.1\r\n" + auth;
                    case 2 -> "GET /v1/documents/a b c HTTP/1.1\r\n" + auth;
                    case 3 -> "GET /v1/documents/\u00ff\u00c3\u0028 HTTP/1.1\r\n" + auth;
                    case 4 -> "BREW /v1/search HTTP/1.1\r\n" + auth;
                    case 5 -> "GET /v1/search?q=x HTTP/9.9\r\n" + auth;
                    case 6 ->
                            "GET /v1/search?q=x HTTP/1.1\r\nX-Big: " + "a".repeat(20_000) + "\r\n";
                    case 7 -> "GET /v1/search?q=x HTTP/1.1\r\nno colon here\r\n" + auth;
                    case 8 ->
                            "POST /v1/search HTTP/1.1\r\n"
                                    + auth
                                    + "Content-Type: application/json\r\nContent-Length: 5\r\n"
                                    + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n";
                    case 9 ->
                            "POST /v1/documents HTTP/1.1\r\n"
                                    + auth
                                    + "Content-Type: application/json\r\nContent-Length: -1\r\n";
                    case 10 ->
                            "POST /v1/documents HTTP/1.1\r\n"
                                    + auth
                                    + "Content-Type: application/json\r\n"
                                    + "Transfer-Encoding: chunked\r\n\r\nffffffffffff\r\n{\"te";
                    default ->
                            "GET /v1/search?q=x HTTP/1.1\r\nAuthorization: Bearer \u0000\u0001\r\n";
                };
        if (!request.contains("\r\n\r\n")) {
            request += "Host: 127.0.0.1\r\nConnection: close\r\n\r\n";
        }
        return FuzzRequest.wire("malformed-http", request);
    }

    private FuzzRequest json(String kind, String method, String path, String json) {
        return FuzzRequest.http(kind, method, path, bearer, "application/json", utf8(json));
    }

    private static String field(String name, String jsonValue) {
        return Hostile.quote(name) + ":" + jsonValue;
    }

    private static String object(List<String> fields) {
        return "{" + String.join(",", fields) + "}";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
