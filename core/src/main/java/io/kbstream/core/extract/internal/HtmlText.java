package io.kbstream.core.extract.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * The text a reader of an HTML page sees: no scripts, styles, templates or hidden elements, and a
 * line break after each block so paragraphs stay apart (chunk boundaries and snippets read better
 * than with everything on one line).
 */
final class HtmlText {

    private static final Set<String> INVISIBLE =
            Set.of("script", "style", "noscript", "template", "head", "svg", "iframe", "object");
    private static final Set<String> BLOCKS =
            Set.of(
                    "p",
                    "div",
                    "br",
                    "li",
                    "ul",
                    "ol",
                    "tr",
                    "table",
                    "h1",
                    "h2",
                    "h3",
                    "h4",
                    "h5",
                    "h6",
                    "pre",
                    "blockquote",
                    "section",
                    "article",
                    "header",
                    "footer",
                    "nav",
                    "aside",
                    "main",
                    "dt",
                    "dd",
                    "dl",
                    "figcaption",
                    "hr",
                    "title");

    private HtmlText() {}

    static String visibleText(byte[] content, String charset) {
        Document doc;
        try {
            // jsoup sniffs the charset from a BOM or <meta> when none is declared
            doc = Jsoup.parse(new ByteArrayInputStream(content), charset, "");
        } catch (IOException e) {
            throw new UncheckedIOException("reading an in-memory byte array", e);
        }
        StringBuilder out = new StringBuilder();
        NodeTraversor.traverse(
                new NodeVisitor() {
                    @Override
                    public void head(Node node, int depth) {
                        if (node instanceof TextNode text && !hidden(node)) {
                            appendNormalised(out, text.getWholeText());
                        } else if (node instanceof Element e && e.normalName().equals("br")) {
                            newline(out);
                        }
                    }

                    @Override
                    public void tail(Node node, int depth) {
                        if (node instanceof Element e && BLOCKS.contains(e.normalName())) {
                            newline(out);
                        }
                    }
                },
                doc.body());
        return out.toString().strip();
    }

    private static boolean hidden(Node node) {
        for (Node n = node.parentNode(); n != null; n = n.parentNode()) {
            if (n instanceof Element e) {
                if (INVISIBLE.contains(e.normalName())
                        || e.hasAttr("hidden")
                        || "true".equals(e.attr("aria-hidden"))
                        || e.attr("style")
                                .replace(" ", "")
                                .toLowerCase(Locale.ROOT)
                                .contains("display:none")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Appends text with runs of whitespace collapsed to one space, as a browser renders it. */
    private static void appendNormalised(StringBuilder out, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == '\u00A0') {
                int len = out.length();
                if (len > 0 && out.charAt(len - 1) != ' ' && out.charAt(len - 1) != '\n') {
                    out.append(' ');
                }
            } else {
                out.append(c);
            }
        }
    }

    private static void newline(StringBuilder out) {
        int len = out.length();
        while (len > 0 && out.charAt(len - 1) == ' ') {
            out.setLength(--len);
        }
        if (len > 0 && out.charAt(len - 1) != '\n') {
            out.append('\n');
        }
    }
}
