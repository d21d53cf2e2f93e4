package io.kbstream.core.extract.internal;

import io.kbstream.core.extract.ContentTypes;
import io.kbstream.core.extract.ExtractionException;
import io.kbstream.core.extract.ExtractionException.Reason;
import io.kbstream.core.extract.TextExtractor;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Set;

/** Dispatches on the media type; each format's work is in its own class. */
public final class ContentTypeExtractor implements TextExtractor {

    private static final Set<String> PLAIN = Set.of("text/plain");
    // Markdown is kept as written: it reads as plain text, and chunk offsets then point into the
    // document the user uploaded.
    private static final Set<String> MARKDOWN = Set.of("text/markdown", "text/x-markdown");
    private static final Set<String> HTML = Set.of("text/html", "application/xhtml+xml");
    private static final Set<String> PDF = Set.of("application/pdf");

    @Override
    public String extract(byte[] content, String contentType) throws ExtractionException {
        if (content == null) {
            throw new ExtractionException(Reason.CORRUPT, "the document has no content");
        }
        String type = ContentTypes.mediaType(contentType);
        if (PLAIN.contains(type) || MARKDOWN.contains(type)) {
            return notBinary(stripBom(decode(content, charset(contentType))), type);
        }
        if (HTML.contains(type)) {
            return notBinary(HtmlText.visibleText(content, charsetParameter(contentType)), type);
        }
        if (PDF.contains(type)) {
            return PdfText.text(content);
        }
        throw new ExtractionException(
                Reason.UNSUPPORTED_TYPE,
                "unsupported content type '"
                        + contentType
                        + "'; supported: "
                        + String.join(", ", supportedTypes()));
    }

    @Override
    public boolean supports(String contentType) {
        return contentType != null
                && supportedTypes().contains(ContentTypes.mediaType(contentType));
    }

    @Override
    public Set<String> supportedTypes() {
        return ContentTypes.SUPPORTED;
    }

    /** The charset parameter, or null when there is none. */
    static String charsetParameter(String contentType) {
        for (String part : contentType.split(";")) {
            String p = part.trim();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                return p.substring(8).replace("\"", "").trim();
            }
        }
        return null;
    }

    private static Charset charset(String contentType) throws ExtractionException {
        String name = charsetParameter(contentType);
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new ExtractionException(
                    Reason.UNSUPPORTED_TYPE, "unknown character set '" + name + "'", e);
        }
    }

    private static String decode(byte[] bytes, Charset charset) throws ExtractionException {
        try {
            // strict: mojibake indexed silently would be worse than a clear failure
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ExtractionException(
                    Reason.CORRUPT,
                    "the text is not valid "
                            + charset.name()
                            + "; declare its charset in the content type (e.g. text/plain;"
                            + " charset=ISO-8859-1)",
                    e);
        }
    }

    /**
     * Text files never hold NUL characters; binary data labelled as text often decodes without a
     * single malformed byte (zeros are valid UTF-8), and would be indexed as garbage.
     */
    private static String notBinary(String text, String type) throws ExtractionException {
        if (text.indexOf('\u0000') >= 0) {
            throw new ExtractionException(
                    Reason.CORRUPT,
                    "the content holds NUL bytes: binary data, not " + type + " text");
        }
        return text;
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
