package io.kbstream.api.testing;

import static io.kbstream.api.testing.Bodies.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.client.http.Response;
import io.kbstream.core.testing.TestDocuments;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Well-formed documents uploaded through the public API while something else goes on (a fuzzer, a
 * fault), and the state each must end in: good text INDEXED, corrupt files (broken PDF, zip bomb,
 * binary labelled as text) FAILED with a reason.
 */
public final class GoodUploads {

    private final ApiUnderTest api;
    private final String key;
    private final Map<String, String> expected = new LinkedHashMap<>();

    public GoodUploads(ApiUnderTest api, String key) {
        this.api = api;
        this.key = key;
    }

    /** The word only good document {@code i} contains, for a keyword search. */
    public static String marker(int i) {
        return "quokka" + (char) ('a' + i % 26) + (char) ('a' + i / 26 % 26) + "zeta";
    }

    /** Uploads good document {@code i} (text) and, every fourth, a corrupt one. */
    public void upload(int i) {
        String id = "good-" + i;
        accept(
                id,
                api.putJson(
                        "/v1/documents/" + id,
                        key,
                        "{\"title\":\"Good "
                                + i
                                + "\",\"text\":\"A well formed document about "
                                + marker(i)
                                + " marsupials and their habitat.\"}"),
                "INDEXED");
        if (i % 4 == 0) {
            byte[] file =
                    switch (i / 4 % 3) {
                        case 0 -> TestDocuments.truncatedPdf();
                        case 1 -> TestDocuments.zipBombPdf(1L << 28);
                        default -> TestDocuments.binaryAsText();
                    };
            String type = i / 4 % 3 == 2 ? "text/plain" : "application/pdf";
            String bad = "corrupt-" + i;
            accept(
                    bad,
                    api.sendBytes(
                            "PUT",
                            "/v1/documents/" + bad,
                            key,
                            Bodies.multipartType(),
                            Bodies.multipart(bad, type, file)),
                    "FAILED");
        }
    }

    private void accept(String id, Response r, String finalState) {
        if (r.statusCode() != 202) {
            throw new AssertionError(
                    "upload of " + id + " gave " + r.statusCode() + ": " + r.body());
        }
        expected.put(id, finalState);
    }

    /**
     * Waits until every upload is in its final state; returns the ones that are not (id → last
     * status seen), empty when all are.
     */
    public Map<String, String> awaitFinalStates(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> wrong = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String last;
            do {
                last = state(e.getKey());
                if (last.startsWith(e.getValue())) {
                    break;
                }
                Thread.sleep(250);
            } while (System.nanoTime() < deadline);
            if (!last.startsWith(e.getValue())) {
                wrong.put(e.getKey(), last);
            }
        }
        return wrong;
    }

    /** "STATUS" or "STATUS reason". */
    private String state(String id) {
        Response r = api.get("/v1/documents/" + id, key);
        if (r.statusCode() != 200) {
            return "HTTP " + r.statusCode();
        }
        JsonNode s = json(r.body());
        String reason = s.path("reason").asText("");
        return s.get("status").asText()
                + (reason.isEmpty() || "null".equals(reason) ? "" : " " + reason);
    }

    public Map<String, String> expected() {
        return expected;
    }
}
