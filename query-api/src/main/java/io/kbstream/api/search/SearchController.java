package io.kbstream.api.search;

import io.javalin.http.Context;
import io.kbstream.api.http.ApiException;
import io.kbstream.api.http.Auth;
import java.io.IOException;
import java.io.InputStream;

/** {@code GET|POST /v1/search} over the caller's documents. */
public final class SearchController {

    /** A search body is a query (≤ 2,000 chars), k, mode and a few filters: 64 KiB is plenty. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final SearchService search;

    public SearchController(SearchService search) {
        this.search = search;
    }

    public void searchGet(Context ctx) {
        SearchRequest request =
                SearchRequest.fromQueryParams(
                        ctx.queryParam("q"), ctx.queryParam("k"), ctx.queryParam("mode"));
        ctx.json(search.search(Auth.tenant(ctx), request));
    }

    public void searchPost(Context ctx) {
        SearchRequest request = SearchRequest.fromJson(body(ctx));
        ctx.json(search.search(Auth.tenant(ctx), request));
    }

    private static byte[] body(Context ctx) {
        if (ctx.contentLength() > MAX_BODY_BYTES) {
            throw ApiException.tooLarge(MAX_BODY_BYTES);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw ApiException.tooLarge(MAX_BODY_BYTES);
            }
            return body;
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body");
        }
    }
}
