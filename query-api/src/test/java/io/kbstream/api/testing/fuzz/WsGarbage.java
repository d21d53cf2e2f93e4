package io.kbstream.api.testing.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Frames a WebSocket server must survive: each breaks RFC 6455 or the events protocol. */
public final class WsGarbage {

    private static final int FIN_TEXT = 0x81;
    private static final int FIN_BINARY = 0x82;

    private static final String[] NAMES = {
        "invalid UTF-8 text",
        "binary",
        "reserved opcode",
        "RSV1 set",
        "lone continuation",
        "ping over 125 bytes",
        "unmasked frame",
        "close code 999",
        "1 MiB text",
        "bad apiKey message",
        "5000 nested brackets",
        "length 2^62 without payload"
    };

    private WsGarbage() {}

    /** Sends one to three garbage frames; returns their names. */
    public static String send(RawWebSocket ws, Random random, String validKey) throws IOException {
        List<String> sent = new ArrayList<>();
        int frames = 1 + random.nextInt(3);
        try {
            for (int i = 0; i < frames; i++) {
                sent.add(one(ws, random, validKey));
            }
        } catch (IOException e) {
            sent.add("(the server had closed: " + e.getMessage() + ")");
        }
        return String.join(", ", sent);
    }

    private static String one(RawWebSocket ws, Random random, String validKey) throws IOException {
        int kind = random.nextInt(NAMES.length);
        switch (kind) {
            case 0 -> ws.frame(FIN_TEXT, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, true);
            case 1 -> ws.frame(FIN_BINARY, bytes(random, 1 + random.nextInt(2000)), true);
            case 2 -> ws.frame(0x80 | (3 + random.nextInt(5)), bytes(random, 10), true);
            case 3 -> ws.frame(0xC1, utf8("{}"), true); // RSV1 without an extension
            case 4 -> ws.frame(0x80, utf8("continuation"), true); // nothing to continue
            case 5 -> ws.frame(0x89, bytes(random, 200), true); // ping longer than 125
            case 6 -> ws.frame(FIN_TEXT, utf8("{\"apiKey\":\"" + validKey + "\"}"), false);
            case 7 -> ws.frame(0x88, new byte[] {0x03, (byte) 0xE7}, true); // close code 999
            case 8 -> ws.frame(FIN_TEXT, utf8("x".repeat(1 << 20)), true); // 1 MiB of text
            case 9 ->
                    ws.frame(
                            FIN_TEXT,
                            utf8(
                                    random.nextBoolean()
                                            ? "{\"apiKey\":123}"
                                            : "{\"apiKey\":\"' OR '1'='1\"}"),
                            true);
            case 10 -> ws.frame(FIN_TEXT, utf8("[".repeat(5000)), true);
            default ->
                    // a header promising 2^62 bytes that never come
                    ws.write(
                            new byte[] {
                                (byte) FIN_TEXT, (byte) 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4
                            });
        }
        return NAMES[kind];
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
