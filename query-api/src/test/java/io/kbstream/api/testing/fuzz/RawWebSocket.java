package io.kbstream.api.testing.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * A WebSocket client on a bare socket, so it can send frames no library would: invalid UTF-8 in
 * text, reserved opcodes and bits, unmasked or oversized control frames, lying lengths. It reports
 * what the server did: closed (with its close code) or kept the connection open.
 */
public final class RawWebSocket implements AutoCloseable {

    private final Socket socket;
    private final Random random;

    private RawWebSocket(Socket socket, Random random) {
        this.socket = socket;
        this.random = random;
    }

    /** Opens {@code /v1/events}, with an Authorization header when {@code bearer} is not null. */
    public static RawWebSocket open(int port, String bearer, Random random, int timeoutMillis)
            throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
        s.setSoTimeout(timeoutMillis);
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        String handshake =
                "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                        + Base64.getEncoder().encodeToString(nonce)
                        + "\r\n"
                        + (bearer == null ? "" : "Authorization: " + bearer + "\r\n")
                        + "\r\n";
        s.getOutputStream().write(handshake.getBytes(StandardCharsets.ISO_8859_1));
        String head = readHead(s.getInputStream());
        if (!head.startsWith("HTTP/1.1 101")) {
            s.close();
            throw new IOException("no upgrade: " + head.lines().findFirst().orElse(""));
        }
        return new RawWebSocket(s, random);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            String h = head.toString(StandardCharsets.ISO_8859_1);
            if (h.endsWith("\r\n\r\n")) {
                return h;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** A frame: FIN and RSV bits and opcode in {@code first}, masked unless told otherwise. */
    public void frame(int first, byte[] payload, boolean masked) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(first);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            f.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) payload.length >>> (8 * i)));
            }
        }
        byte[] body = payload.clone();
        if (masked) {
            byte[] mask = new byte[4];
            random.nextBytes(mask);
            f.write(mask);
            for (int i = 0; i < body.length; i++) {
                body[i] ^= mask[i % 4];
            }
        }
        f.write(body);
        write(f.toByteArray());
    }

    /** Raw bytes, e.g. a header that promises more payload than ever comes. */
    public void write(byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads frames until the server closes: its close code, 0 for a close without a code, -1 if the
     * TCP connection ended without a close frame; or null when the server kept the connection open
     * and quiet for the socket's timeout (it ignored the frame).
     */
    public Integer awaitClose() throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (true) {
                int b0 = in.read();
                if (b0 < 0) {
                    return -1;
                }
                int b1 = in.read();
                long len = b1 & 0x7f;
                if (len == 126) {
                    len = (in.read() << 8) | in.read();
                } else if (len == 127) {
                    len = 0;
                    for (int i = 0; i < 8; i++) {
                        len = (len << 8) | in.read();
                    }
                }
                byte[] payload = in.readNBytes((int) len);
                if ((b0 & 0x0f) == 0x8) {
                    return payload.length >= 2
                            ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff)
                            : 0;
                }
            }
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            return -1; // reset
        }
    }

    public void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
