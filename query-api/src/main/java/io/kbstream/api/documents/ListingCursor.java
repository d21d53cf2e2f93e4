package io.kbstream.api.documents;

import io.kbstream.api.http.ApiException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;

/**
 * The opaque cursor of {@code GET /v1/documents}: the last document id a page looked at, in
 * base64url behind a version prefix, so clients treat it as a token and the encoding can change.
 * The listing's key is the id in byte order of its UTF-8 form ({@link #BYTE_ORDER}), which is the
 * order of Redis' lexicographic ranges and of Postgres' "C" collation.
 */
final class ListingCursor {

    private static final String PREFIX = "1:";

    /** A cursor holds one id (≤ 256 chars, ≤ 1 KiB of UTF-8): longer input is not ours. */
    private static final int MAX_LENGTH = 2_000;

    /** UTF-8 byte order is code point order. */
    static final Comparator<String> BYTE_ORDER =
            (a, b) -> {
                int i = 0;
                int j = 0;
                while (i < a.length() && j < b.length()) {
                    int ca = a.codePointAt(i);
                    int cb = b.codePointAt(j);
                    if (ca != cb) {
                        return Integer.compare(ca, cb);
                    }
                    i += Character.charCount(ca);
                    j += Character.charCount(cb);
                }
                return Integer.compare(a.length() - i, b.length() - j);
            };

    private ListingCursor() {}

    static String encode(String lastId) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((PREFIX + lastId).getBytes(StandardCharsets.UTF_8));
    }

    /** The id a cursor stands for; a 400 for anything this API did not issue. */
    static String decode(String cursor) {
        if (cursor.length() > MAX_LENGTH) {
            throw invalid();
        }
        String text;
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(cursor);
            text =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes))
                            .toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw invalid();
        }
        if (!text.startsWith(PREFIX)) {
            throw invalid();
        }
        try {
            return Validation.documentId(text.substring(PREFIX.length()));
        } catch (ApiException e) {
            throw invalid();
        }
    }

    private static ApiException invalid() {
        return ApiException.badRequest(
                "cursor is not one this API issued: pass nextCursor from a previous page as is");
    }
}
