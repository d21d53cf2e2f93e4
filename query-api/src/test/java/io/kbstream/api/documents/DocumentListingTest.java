package io.kbstream.api.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.api.http.ApiException;
import io.kbstream.core.redis.StatusStore;
import io.kbstream.core.store.StoredDocument;
import io.kbstream.schemas.DocumentState;
import io.kbstream.schemas.DocumentStatuses;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Tests for {@link DocumentListing#merge} and {@link ListingCursor}: keyset pages over sources. */
class DocumentListingTest {

    /** Byte order of UTF-8, computed independently of {@link ListingCursor#BYTE_ORDER}. */
    private static final Comparator<String> UTF8 =
            (a, b) ->
                    Arrays.compareUnsigned(
                            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    /** Ids whose UTF-16 order differs from their byte order (U+FF21 vs a surrogate pair). */
    private static final List<String> ALPHABET =
            List.of("a", "b", "z", "é", "\uFF21", "\uD834\uDD1E", "0", "-");

    /** What the shards and Redis hold: per id, a shard row and/or a Redis status. */
    private static final class World {
        final List<TreeMap<String, StoredDocument>> shards =
                List.of(new TreeMap<>(UTF8), new TreeMap<>(UTF8));
        final TreeMap<String, StatusStore.Titled> redis = new TreeMap<>(UTF8);

        /** A document in one shard and/or Redis (replacing whatever the world held for id). */
        void add(Random random, String id) {
            shards.forEach(s -> s.remove(id));
            redis.remove(id);
            long version = 10 + random.nextInt(5);
            int where = random.nextInt(3); // 0: shard only, 1: Redis only, 2: both
            if (where != 1) {
                shards.get(random.nextInt(2)).put(id, row(id, version));
            }
            if (where != 0) {
                DocumentState state =
                        DocumentState.values()[random.nextInt(DocumentState.values().length)];
                redis.put(id, status(id, version + random.nextInt(2), state));
            }
        }

        DocumentListing.Page page(ListingRequest request) {
            List<List<StoredDocument>> pages = new ArrayList<>();
            for (TreeMap<String, StoredDocument> shard : shards) {
                pages.add(first(shard, request).stream().map(shard::get).toList());
            }
            List<String> ids = first(redis, request);
            StatusStore.Page recent =
                    new StatusStore.Page(
                            ids.stream().map(redis::get).toList(),
                            ids.isEmpty() ? null : ids.get(ids.size() - 1),
                            ids.size() >= request.limit());
            return DocumentListing.merge(pages, recent, request);
        }

        /** The id's status as a listing must show it: the newer version, the shard on a tie. */
        DocumentState expected(String id) {
            StoredDocument row =
                    shards.stream()
                            .map(s -> s.get(id))
                            .filter(r -> r != null)
                            .findFirst()
                            .orElse(null);
            StatusStore.Titled status = redis.get(id);
            if (row == null) {
                return status.status().getState();
            }
            if (status == null || status.status().getVersion() <= row.version()) {
                return DocumentState.INDEXED;
            }
            return status.status().getState();
        }

        Set<String> ids() {
            Set<String> all = new HashSet<>(redis.keySet());
            shards.forEach(s -> all.addAll(s.keySet()));
            return all;
        }

        private static <V> List<String> first(TreeMap<String, V> map, ListingRequest request) {
            var tail =
                    request.afterId() == null
                            ? map.navigableKeySet()
                            : map.navigableKeySet().tailSet(request.afterId(), false);
            return tail.stream().limit(request.limit()).toList();
        }
    }

    private static StoredDocument row(String id, long version) {
        Instant now = Instant.parse("2026-11-30T12:00:00Z");
        return new StoredDocument(
                "t", id, version, "h", "title " + id, Map.of(), "INDEXED", null, 2, "m", now, now);
    }

    private static StatusStore.Titled status(String id, long version, DocumentState state) {
        Instant now = Instant.parse("2026-11-30T12:00:00Z");
        return new StatusStore.Titled(
                DocumentStatuses.of(
                        "e",
                        "t",
                        id,
                        version,
                        state,
                        state == DocumentState.FAILED ? "bad" : null,
                        0,
                        now,
                        now),
                null);
    }

    private static String randomId(Random random) {
        StringBuilder id = new StringBuilder();
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
            id.append(ALPHABET.get(random.nextInt(ALPHABET.size())));
        }
        return id.toString();
    }

    /** Walks every page; between pages, {@code growth} new ids arrive. */
    private static List<DocumentListing.Listed> walk(
            World world, Random random, DocumentState status, int limit, int growth) {
        List<DocumentListing.Listed> all = new ArrayList<>();
        String after = null;
        for (int pages = 0; pages < 10_000; pages++) {
            DocumentListing.Page page = world.page(new ListingRequest(status, after, limit));
            assertThat(page.documents().size()).isLessThanOrEqualTo(limit);
            all.addAll(page.documents());
            if (page.nextCursor() == null) {
                return all;
            }
            after = ListingCursor.decode(page.nextCursor());
            for (int i = 0; i < growth; i++) {
                world.add(random, randomId(random));
            }
        }
        throw new AssertionError("the walk did not end");
    }

    @Test
    void pages_list_every_document_of_both_sources_once_in_byte_order() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            World world = new World();
            for (int i = 0, n = random.nextInt(60); i < n; i++) {
                world.add(random, randomId(random));
            }
            int limit = 1 + random.nextInt(6);

            List<DocumentListing.Listed> all = walk(world, random, null, limit, 0);

            List<String> ids = all.stream().map(DocumentListing.Listed::id).toList();
            assertThat(ids).doesNotHaveDuplicates().isSortedAccordingTo(UTF8);
            assertThat(ids).containsExactlyInAnyOrderElementsOf(world.ids());
            for (DocumentListing.Listed d : all) {
                assertThat(d.status()).as(d.id()).isEqualTo(world.expected(d.id()));
            }
        }
    }

    @Test
    void documents_added_during_the_walk_never_hide_or_repeat_existing_ones() {
        Random random = new Random(11);
        for (int round = 0; round < 300; round++) {
            World world = new World();
            for (int i = 0, n = random.nextInt(60); i < n; i++) {
                world.add(random, randomId(random));
            }
            Set<String> before = world.ids();

            List<String> ids =
                    walk(world, random, null, 1 + random.nextInt(6), 1 + random.nextInt(3)).stream()
                            .map(DocumentListing.Listed::id)
                            .toList();

            assertThat(ids).doesNotHaveDuplicates().containsAll(before);
        }
    }

    @Test
    void a_status_filter_lists_exactly_the_documents_whose_newest_version_has_it() {
        Random random = new Random(13);
        for (int round = 0; round < 200; round++) {
            World world = new World();
            for (int i = 0, n = random.nextInt(60); i < n; i++) {
                world.add(random, randomId(random));
            }
            for (DocumentState state : DocumentState.values()) {
                List<String> listed =
                        walk(world, random, state, 1 + random.nextInt(4), 0).stream()
                                .map(DocumentListing.Listed::id)
                                .toList();
                assertThat(listed)
                        .containsExactlyInAnyOrderElementsOf(
                                world.ids().stream()
                                        .filter(id -> world.expected(id) == state)
                                        .toList());
            }
        }
    }

    @Test
    void without_redis_the_page_is_partial_and_lists_the_shards() {
        DocumentListing.Page page =
                DocumentListing.merge(
                        List.of(List.of(row("a", 1)), List.of(row("b", 1))),
                        null,
                        new ListingRequest(null, null, 10));

        assertThat(page.partial()).isTrue();
        assertThat(page.documents())
                .extracting(DocumentListing.Listed::id)
                .containsExactly("a", "b");
        assertThat(page.nextCursor()).isNull();
    }

    @Test
    void cursor_round_trips_any_valid_id_and_refuses_what_it_did_not_issue() {
        for (String id : List.of("a", "é-accent", "\uD834\uDD1E x", "x".repeat(256))) {
            assertThat(ListingCursor.decode(ListingCursor.encode(id))).isEqualTo(id);
        }
        // not base64, empty, oversized, "2:b" (another version), "1:../" (not a valid id)
        for (String bad : List.of("%%%", "", "A".repeat(3000), "Mjpi", "MTouLi8")) {
            assertThatThrownBy(() -> ListingCursor.decode(bad))
                    .isInstanceOf(ApiException.class)
                    .hasMessageContaining("cursor is not one this API issued");
        }
        assertThat(ListingCursor.BYTE_ORDER.compare("\uFF21", "\uD834\uDD1E")).isNegative();
        assertThat("\uFF21".compareTo("\uD834\uDD1E")).as("UTF-16 order differs").isPositive();
    }
}
