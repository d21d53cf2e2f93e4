package io.kbstream.reliability;

import io.kbstream.client.Accepted;
import io.kbstream.client.ApiClient;
import io.kbstream.client.ApiException;
import io.kbstream.client.SearchQuery;
import io.kbstream.client.SearchResult;
import io.kbstream.client.Upload;
import java.util.function.Supplier;

/**
 * The project's {@link ApiClient} as the fault scenarios use it: every call returns what the server
 * said (status 0 when it could not be reached) instead of throwing, and every upload and delete is
 * written to the {@link Ledger}.
 */
public final class LedgerClient {

    private final ApiClient api;
    private final Ledger ledger;

    public LedgerClient(ApiClient api, Ledger ledger) {
        this.api = api;
        this.ledger = ledger;
    }

    /** A search answer; {@code status} 0 when the API could not be reached. */
    public record Search(int status, boolean partial, boolean cached, long nanos) {}

    /** {@code PUT /v1/documents/{id}} as plain text. */
    public Ledger.Attempt put(Corpus.Doc doc) {
        Upload upload = Upload.text(doc.text()).title(doc.title()).contentType("text/plain");
        return write(doc.id(), doc.text(), () -> api.put(doc.id(), upload));
    }

    /** {@code DELETE /v1/documents/{id}}. */
    public Ledger.Attempt delete(String id) {
        return write(id, null, () -> api.delete(id));
    }

    /** {@code POST /v1/search}, hybrid, k = 10. */
    public Search search(String query) {
        long start = System.nanoTime();
        try {
            SearchResult r = api.search(SearchQuery.of(query));
            return new Search(200, r.partial(), r.cached(), System.nanoTime() - start);
        } catch (ApiException e) {
            return new Search(e.status(), false, false, System.nanoTime() - start);
        }
    }

    /** The HTTP status of {@code GET /v1/documents/{id}} (0: unreachable). */
    public int status(String id) {
        try {
            api.status(id);
            return 200;
        } catch (ApiException e) {
            return e.status();
        }
    }

    private Ledger.Attempt write(String id, String text, Supplier<Accepted> call) {
        long start = System.nanoTime();
        int status;
        long version = 0;
        boolean retryAfter = false;
        try {
            version = call.get().version();
            status = 202;
        } catch (ApiException e) {
            // no answer (status 0) or a refusal: the operation is not acknowledged
            status = e.status();
            retryAfter = e.retryAfter().isPresent();
        }
        Ledger.Attempt attempt =
                new Ledger.Attempt(
                        id,
                        text == null,
                        text,
                        status,
                        version,
                        retryAfter,
                        start,
                        System.nanoTime());
        ledger.record(attempt);
        return attempt;
    }
}
