package io.kbstream.api.testing.fuzz;

import io.kbstream.api.testing.Bodies;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * The vocabulary of the fuzzer: strings and JSON tokens that have broken web services before (SQL
 * and tsquery syntax, path traversal, control characters, lone surrogates, numbers at and past the
 * limits), and a seeded way to pick and combine them.
 */
public final class Hostile {

    static final List<String> SQL =
            List.of(
                    "' OR '1'='1",
                    "'; DROP TABLE chunks; --",
                    "\"; DELETE FROM documents; --",
                    "1; SELECT pg_sleep(30)",
                    "$$ OR 1=1 $$",
                    "E'\\x00'",
                    "') OR tenant IS NOT NULL --",
                    "%' AND tenant LIKE '%",
                    "' UNION SELECT tenant, id, title FROM documents --",
                    "{\"a\":1}'::jsonb @> '{}",
                    "\\",
                    "?",
                    "$1");

    static final List<String> TSQUERY =
            List.of(
                    "a & b",
                    "a | b",
                    "!a",
                    "a <-> b",
                    "a:*",
                    "(a",
                    "a)",
                    "'a' & 'b'",
                    ":*",
                    "!!!",
                    "a <1000000> b",
                    "&|!()<->:*'\\",
                    "\\'",
                    "the a an of",
                    "-");

    static final List<String> TRAVERSAL =
            List.of(
                    "..",
                    ".",
                    "../..",
                    "../../etc/passwd",
                    "..\\..\\windows\\win.ini",
                    "....//",
                    "..;",
                    ".%2e",
                    "%2e%2e%2f",
                    "%252e%252e%252f",
                    "\u2025",
                    "\uff0e\uff0e\uff0f",
                    "..%00",
                    "..%c0%af",
                    "a/../b",
                    "~root");

    static final List<String> CONTROL =
            List.of(
                    "\u0000", "\u0001", "\r\n", "\n", "\t", "\u2028", "\uFEFF", "\ud800", "\udfff",
                    "\u007f", "\u202e", " ");

    static final List<String> WORDS =
            List.of(
                    "protein",
                    "cell",
                    "immune",
                    "vector",
                    "hybrid",
                    "keyword",
                    "null",
                    "NaN",
                    "é",
                    "北京",
                    "😀",
                    "tenant",
                    "documents");

    /** JSON tokens for k: inside, at and past its limits, and of the wrong type. */
    static final List<String> K_TOKENS =
            List.of(
                    "-1",
                    "0",
                    "1",
                    "100",
                    "101",
                    "2147483647",
                    "2147483648",
                    "-2147483649",
                    "9223372036854775808",
                    "1e308",
                    "1e999",
                    "-0",
                    "1.5",
                    "100.0",
                    "\"10\"",
                    "null",
                    "true",
                    "[]",
                    "{}",
                    "NaN",
                    "Infinity",
                    "0x10",
                    "99999999999999999999999999999999999999999999999999");

    static final List<String> MODES =
            List.of(
                    "hybrid",
                    "vector",
                    "keyword",
                    "VECTOR",
                    " hybrid",
                    "semantic",
                    "",
                    "hybrid\u0000",
                    "keyword; DROP TABLE chunks",
                    "bm25",
                    "\ud800");

    private final Random random;

    public Hostile(Random random) {
        this.random = random;
    }

    public Random random() {
        return random;
    }

    <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    boolean chance(int oneIn) {
        return random.nextInt(oneIn) == 0;
    }

    /** One to five pieces from every list above, glued together. */
    public String string() {
        StringBuilder sb = new StringBuilder();
        int parts = 1 + random.nextInt(5);
        for (int i = 0; i < parts; i++) {
            List<String> list =
                    switch (random.nextInt(5)) {
                        case 0 -> SQL;
                        case 1 -> TSQUERY;
                        case 2 -> TRAVERSAL;
                        case 3 -> CONTROL;
                        default -> WORDS;
                    };
            sb.append(pick(list));
        }
        return sb.toString();
    }

    /** A string of {@code length} characters, mostly letters, some hostile. */
    public String longString(int length) {
        StringBuilder sb = new StringBuilder(length + 16);
        while (sb.length() < length) {
            sb.append(chance(50) ? string() : pick(WORDS)).append(' ');
        }
        return sb.substring(0, length);
    }

    /** A JSON value of any type, often of the wrong one for wherever it goes. */
    public String anyJson() {
        return switch (random.nextInt(9)) {
            case 0 -> "null";
            case 1 -> Integer.toString(random.nextInt(2001) - 1000);
            case 2 -> pick(K_TOKENS);
            case 3 -> "[" + quote(string()) + "]";
            case 4 -> "{\"a\":" + quote(string()) + "}";
            case 5 -> nested(1 + random.nextInt(random.nextBoolean() ? 60 : 5000));
            case 6 -> quote(longString(1 + random.nextInt(5000)));
            case 7 -> random.nextBoolean() ? "true" : "false";
            default -> quote(string());
        };
    }

    /** Arrays or objects nested {@code depth} deep (the API's parser stops at 64). */
    public String nested(int depth) {
        boolean arrays = random.nextBoolean();
        String open = arrays ? "[" : "{\"a\":";
        String close = arrays ? "]" : "}";
        return open.repeat(depth) + (arrays ? "1" : "1") + close.repeat(depth);
    }

    /** A JSON array of {@code n} floats: a "vector" of the wrong (or right) dimension. */
    public String vector() {
        int[] dims = {0, 1, 3, 383, 384, 385, 768, 4096};
        int n = dims[random.nextInt(dims.length)];
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(random.nextFloat() * 2 - 1);
        }
        return sb.append(']').toString();
    }

    /** A JSON string literal; lone surrogates stay escaped as they are. */
    public static String quote(String s) {
        return Bodies.quote(s);
    }

    /** Percent-encoded for a URI path or query, or (sometimes) left as written. */
    public String urlPart(String s) {
        if (chance(4)
                && s.chars().allMatch(c -> c > 32 && c < 127 && "\"<>\\^`{|}#?% ".indexOf(c) < 0)) {
            return s; // raw: '..' and the like reach the router unencoded
        }
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Byte-level damage to an otherwise well-formed body: a flipped, inserted or dropped byte,
     * invalid UTF-8, a raw NUL, or a cut.
     */
    public byte[] damage(byte[] body) {
        if (body.length == 0) {
            return new byte[] {(byte) 0xFF};
        }
        byte[] out = body.clone();
        int at = random.nextInt(out.length);
        switch (random.nextInt(5)) {
            case 0 -> out[at] = (byte) random.nextInt(256);
            case 1 -> out[at] = (byte) 0xC3; // a lead byte without its continuation
            case 2 -> out[at] = 0;
            case 3 -> out = java.util.Arrays.copyOf(out, at);
            default -> {
                out = java.util.Arrays.copyOf(out, out.length + 2);
                System.arraycopy(out, at, out, at + 2, out.length - at - 2);
                out[at] = (byte) 0xED; // an encoded surrogate: invalid in UTF-8
                out[at + 1] = (byte) 0xA0;
            }
        }
        return out;
    }
}
