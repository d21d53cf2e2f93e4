package io.kbstream.core.extract;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The formats {@link TextExtractor} reads, named once: the API accepts exactly these, and bulk
 * imports and multipart uploads without a useful declared type are typed by file name from here.
 */
public final class ContentTypes {

    /** The media types the extractor reads, without parameters. */
    public static final Set<String> SUPPORTED =
            Set.of(
                    "text/plain",
                    "text/markdown",
                    "text/x-markdown",
                    "text/html",
                    "application/xhtml+xml",
                    "application/pdf");

    private ContentTypes() {}

    /** A Content-Type value's media type: no parameters, trimmed, lower case; "" for null. */
    public static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi))
                .trim()
                .toLowerCase(Locale.ROOT);
    }

    /** The type a file name's extension stands for, if it is a supported one. */
    public static Optional<String> ofFileName(String name) {
        String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".txt")) {
            return Optional.of("text/plain");
        } else if (lower.endsWith(".md") || lower.endsWith(".markdown")) {
            return Optional.of("text/markdown");
        } else if (lower.endsWith(".html") || lower.endsWith(".htm")) {
            return Optional.of("text/html");
        } else if (lower.endsWith(".pdf")) {
            return Optional.of("application/pdf");
        }
        return Optional.empty();
    }
}
