package io.kbstream.api.documents;

import io.kbstream.api.http.ApiException;
import io.kbstream.core.extract.ContentTypes;
import java.util.TreeSet;

/** Checks on user-supplied ids, titles and content types; failures are 400 or 415. */
public final class Validation {

    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_TITLE_LENGTH = 1_000;

    private Validation() {}

    /** A document id: 1..256 chars, no control characters, no '/' or '\', not '.' or '..'. */
    public static String documentId(String id) {
        if (id == null || id.isEmpty()) {
            throw ApiException.badRequest("id must not be empty");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw ApiException.badRequest("id is longer than " + MAX_ID_LENGTH + " characters");
        }
        if (hasControl(id) || id.indexOf('/') >= 0 || id.indexOf('\\') >= 0) {
            throw ApiException.badRequest("id must not contain control characters, '/' or '\\'");
        }
        if (id.equals(".") || id.equals("..") || id.contains("..")) {
            throw ApiException.badRequest("id must not contain '..'");
        }
        if (!id.equals(id.strip())) {
            throw ApiException.badRequest("id must not start or end with whitespace");
        }
        return id;
    }

    public static String title(String title) {
        if (title == null) {
            return null;
        }
        if (title.length() > MAX_TITLE_LENGTH) {
            throw ApiException.badRequest(
                    "title is longer than " + MAX_TITLE_LENGTH + " characters");
        }
        if (title.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest("title must not contain NUL");
        }
        return title;
    }

    /**
     * The media type without parameters, lower-case, if it is one the pipeline's extractor reads
     * ({@link ContentTypes#SUPPORTED}).
     */
    public static String contentType(String contentType) {
        String base = ContentTypes.mediaType(contentType);
        if (!ContentTypes.SUPPORTED.contains(base)) {
            throw ApiException.unsupportedType(
                    "content type must be one of " + new TreeSet<>(ContentTypes.SUPPORTED));
        }
        return base;
    }

    static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }
}
