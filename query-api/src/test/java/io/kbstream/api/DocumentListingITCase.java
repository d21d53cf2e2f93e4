package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.client.ApiClient;
import io.kbstream.client.DocumentPage;
import io.kbstream.client.Upload;
import io.kbstream.client.http.Response;
import io.kbstream.core.testing.TestDocuments;
import io.kbstream.jobs.testing.PipelineRunner;
import io.kbstream.schemas.DocumentState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/documents} on a real server: indexed documents (shards) and acknowledged ones
 * (Redis) in one id order, status filters, cursors, and paging while uploads go on through the real
 * indexing job.
 */
class DocumentListingITCase {

    private static ApiUnderTest api;
    private static Seeder seeder;

    @BeforeAll
    static void start() {
        api = new ApiUnderTest();
        seeder = new Seeder(api.config);
    }

    @AfterAll
    static void stop() {
        seeder.deleteTenant(api.tenantA);
        seeder.deleteTenant(api.tenantB);
        seeder.close();
        api.close();
    }

    /** Every page from the first to the end; asserts each page's size and order. */
    private static List<DocumentPage.Document> walk(
            ApiClient client, DocumentState state, int limit) {
        List<DocumentPage.Document> all = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            DocumentPage page = client.listDocuments(state, cursor, limit);
            assertThat(page.partial()).isFalse();
            assertThat(page.documents().size()).isLessThanOrEqualTo(limit);
            all.addAll(page.documents());
            cursor = page.nextCursor();
            assertThat(++pages).as("pages").isLessThan(10_000);
        } while (cursor != null);
        return all;
    }

    private static List<String> ids(List<DocumentPage.Document> documents) {
        return documents.stream().map(DocumentPage.Document::id).toList();
    }

    @Test
    void GET_documents_merges_indexed_and_acknowledged_documents_in_id_order() {
        ApiClient b = api.clientB();
        seeder.index(api.tenantB, "c-indexed", "Indexed C", Map.of(), "one chunk", "two chunks");
        seeder.index(api.tenantB, "a-indexed", "Indexed A", Map.of(), "a chunk");
        seeder.index(api.tenantB, "e-replaced", "Old E", Map.of(), "old text");
        // no pipeline reads these: they stay acknowledged, in Redis only
        b.put("b-accepted", Upload.text("waiting").title("Accepted B"));
        b.put("e-replaced", Upload.text("new text").title("New E"));
        // "é" sorts after "e" and "z" in byte order
        b.put("é-accent", Upload.text("accent"));
        b.put("z-last", Upload.text("last").title("Z"));

        List<DocumentPage.Document> all = walk(b, null, 2);

        assertThat(ids(all))
                .containsExactly(
                        "a-indexed", "b-accepted", "c-indexed", "e-replaced", "z-last", "é-accent");
        Map<String, DocumentPage.Document> byId = new LinkedHashMap<>();
        all.forEach(d -> byId.put(d.id(), d));
        assertThat(byId.get("c-indexed").state()).isEqualTo(DocumentState.INDEXED);
        assertThat(byId.get("c-indexed").chunkCount()).isEqualTo(2);
        assertThat(byId.get("c-indexed").title()).isEqualTo("Indexed C");
        assertThat(byId.get("c-indexed").uploadedAt()).isNotNull();
        assertThat(byId.get("b-accepted").state()).isEqualTo(DocumentState.ACCEPTED);
        assertThat(byId.get("b-accepted").title()).isEqualTo("Accepted B");
        assertThat(byId.get("é-accent").title()).isNull();
        // the newer, acknowledged version wins over the indexed one, with its own title
        DocumentPage.Document replaced = byId.get("e-replaced");
        assertThat(replaced.state()).isEqualTo(DocumentState.ACCEPTED);
        assertThat(replaced.title()).isEqualTo("New E");
        assertThat(replaced.version()).isEqualTo(b.status("e-replaced").version());

        assertThat(ids(walk(b, DocumentState.INDEXED, 1)))
                .containsExactly("a-indexed", "c-indexed");
        assertThat(ids(walk(b, DocumentState.ACCEPTED, 100)))
                .containsExactly("b-accepted", "e-replaced", "z-last", "é-accent");
        assertThat(walk(b, DocumentState.FAILED, 3)).isEmpty();
    }

    @Test
    void listing_pages_while_uploads_continue_miss_and_repeat_no_document() throws Exception {
        ApiClient a = api.clientA();
        try (PipelineRunner pipeline = PipelineRunner.start(api.config)) {
            Set<String> before = new HashSet<>();
            Set<String> broken = new HashSet<>();
            for (int i = 0; i < 40; i++) {
                String id = "doc-" + UUID.randomUUID();
                a.put(id, Upload.text("A short note number " + i + " about tides.").title("N" + i));
                before.add(id);
                if (i % 10 == 0) {
                    String bad = "bad-" + UUID.randomUUID();
                    Response r =
                            api.sendBytes(
                                    "PUT",
                                    "/v1/documents/" + bad,
                                    api.keyA,
                                    "application/pdf",
                                    TestDocuments.truncatedPdf());
                    assertThat(r.statusCode()).isEqualTo(202);
                    before.add(bad);
                    broken.add(bad);
                }
            }

            // uploads go on, at ids before and after any cursor, while the pages are read and
            // the job moves documents from acknowledged to indexed
            AtomicBoolean paging = new AtomicBoolean(true);
            AtomicInteger during = new AtomicInteger();
            CompletableFuture<Void> uploads =
                    CompletableFuture.runAsync(
                            () -> {
                                while (paging.get()) {
                                    a.put(
                                            "doc-" + UUID.randomUUID(),
                                            Upload.text("written while paging").title("W"));
                                    during.incrementAndGet();
                                }
                            });
            List<String> listed = new ArrayList<>();
            String cursor = null;
            do {
                DocumentPage page = a.listDocuments(null, cursor, 3);
                listed.addAll(ids(page.documents()));
                cursor = page.nextCursor();
            } while (cursor != null);
            paging.set(false);
            uploads.get();

            assertThat(during.get()).as("uploads while paging").isPositive();
            assertThat(listed).doesNotHaveDuplicates();
            assertThat(listed).containsAll(before);
            assertThat(listed).isSortedAccordingTo(String::compareTo);

            awaitFinal(a, broken);
            List<DocumentPage.Document> failed = walk(a, DocumentState.FAILED, 2);
            assertThat(ids(failed)).containsExactlyInAnyOrderElementsOf(broken);
            assertThat(failed).allSatisfy(d -> assertThat(d.reason()).isNotBlank());
        }
    }

    @Test
    void bad_limit_cursor_or_status_is_a_400_with_the_json_error() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("limit=0", "limit must be an integer from 1 to 1000");
        bad.put("limit=1001", "limit must be an integer from 1 to 1000");
        bad.put("limit=ten", "limit must be an integer from 1 to 1000");
        bad.put("limit=99999999999", "limit must be an integer from 1 to 1000");
        bad.put("status=DELETED", "status must be one of [ACCEPTED, PROCESSING, INDEXED, FAILED]");
        bad.put("cursor=%25%25%25", "cursor is not one this API issued");
        bad.put("cursor=" + base64("2:doc"), "cursor is not one this API issued");
        bad.put("cursor=" + base64("1:../etc"), "cursor is not one this API issued");
        bad.put("cursor=" + "A".repeat(3000), "cursor is not one this API issued");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Response r = api.get("/v1/documents?" + e.getKey(), api.keyA);
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
            JsonNode error = json(r.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("bad_request");
            assertThat(error.get("message").asText()).as(e.getKey()).contains(e.getValue());
        }
        assertThat(api.get("/v1/documents?status=indexed&limit=1000", api.keyA).statusCode())
                .isEqualTo(200);
        assertThat(api.get("/v1/documents", null).statusCode()).isEqualTo(401);
    }

    private static String base64(String text) {
        return java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void awaitFinal(ApiClient client, Set<String> ids) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 180_000;
        Set<String> open = new HashSet<>(ids);
        while (!open.isEmpty() && System.currentTimeMillis() < deadline) {
            open.removeIf(id -> client.status(id).done());
            Thread.sleep(250);
        }
        assertThat(open.stream().collect(Collectors.toMap(id -> id, id -> client.status(id))))
                .as("not final after 3 minutes")
                .isEmpty();
    }
}
