package io.kbstream.core.extract;

import io.kbstream.core.extract.internal.ContentTypeExtractor;
import java.util.Set;

/**
 * Gets the text to index out of an uploaded document, picking the format by content type: {@code
 * text/plain}, {@code text/markdown}, {@code text/html} (visible text only) and {@code
 * application/pdf}. Thread-safe.
 */
public interface TextExtractor {

    /**
     * The document's text.
     *
     * @param content the uploaded bytes
     * @param contentType a MIME type, parameters allowed ({@code text/plain; charset=ISO-8859-1})
     * @throws ExtractionException for an unsupported type or a corrupt, encrypted or text-less
     *     document, with a message fit to show the uploader
     */
    String extract(byte[] content, String contentType) throws ExtractionException;

    /** Whether {@code contentType} (parameters ignored) can be extracted. */
    boolean supports(String contentType);

    /** The media types {@link #extract} accepts, without parameters. */
    Set<String> supportedTypes();

    /** The extractor for every supported format. */
    static TextExtractor create() {
        return new ContentTypeExtractor();
    }
}
