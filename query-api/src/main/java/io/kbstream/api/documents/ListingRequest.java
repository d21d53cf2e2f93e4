package io.kbstream.api.documents;

import io.kbstream.api.http.ApiException;
import io.kbstream.schemas.DocumentState;
import java.util.Arrays;
import java.util.Locale;

/**
 * The query of {@code GET /v1/documents}, validated: an optional status, the id after which the
 * page starts (from the cursor; null for the first page) and the page size.
 */
record ListingRequest(DocumentState status, String afterId, int limit) {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1_000;

    static ListingRequest fromQueryParams(String status, String cursor, String limit) {
        return new ListingRequest(
                status(status),
                cursor == null || cursor.isEmpty() ? null : ListingCursor.decode(cursor),
                limit(limit));
    }

    private static DocumentState status(String status) {
        if (status == null || status.isEmpty()) {
            return null;
        }
        try {
            return DocumentState.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(
                    "status must be one of " + Arrays.toString(DocumentState.values()));
        }
    }

    private static int limit(String limit) {
        if (limit == null || limit.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        int value;
        try {
            value = limit.length() > 9 ? -1 : Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 1 || value > MAX_LIMIT) {
            throw ApiException.badRequest(
                    "limit must be an integer from 1 to "
                            + MAX_LIMIT
                            + " (default "
                            + DEFAULT_LIMIT
                            + ")");
        }
        return value;
    }
}
