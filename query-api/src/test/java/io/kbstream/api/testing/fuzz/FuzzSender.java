package io.kbstream.api.testing.fuzz;

import io.kbstream.client.ApiClient;
import io.kbstream.client.http.Request;
import io.kbstream.client.http.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Sends {@link FuzzRequest}s to a server with a hard timeout: well-formed ones through the
 * project's API client's low-level requests, malformed ones verbatim on a socket. A request that
 * gets no answer in time is a {@link Hung}, never a wait.
 */
public final class FuzzSender {

    /** No answer (nor a closed connection) within the timeout. */
    public static final class Hung extends Exception {
        private static final long serialVersionUID = 1L;

        Hung(String what) {
            super(what);
        }
    }

    /** The status (-1: the server closed the connection without one) and the body. */
    public record Answer(int status, String body) {}

    private final String host;
    private final int port;
    private final Duration timeout;
    private final ApiClient client;

    public FuzzSender(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
        this.client =
                ApiClient.builder("http://" + host + ":" + port)
                        .connectTimeout(timeout)
                        .requestTimeout(timeout)
                        .build();
    }

    public Answer send(FuzzRequest r) throws Hung, InterruptedException {
        return r.wire() != null ? sendRaw(r.wire(), r.describe()) : sendHttp(r);
    }

    private Answer sendHttp(FuzzRequest r) throws Hung, InterruptedException {
        try {
            Request request =
                    client.request(r.method(), r.target())
                            .header("Authorization", r.authorization());
            if (r.body() != null) {
                request = request.body(r.contentType(), r.body());
            } else {
                request = request.header("Content-Type", r.contentType());
            }
            Response resp = client.send(request);
            return new Answer(resp.statusCode(), resp.body());
        } catch (IllegalArgumentException e) {
            // a target or header the JDK client refuses to send: send it on the wire instead
            return sendRaw(wire(r), r.describe());
        } catch (HttpTimeoutException e) {
            throw new Hung(r.describe());
        } catch (IOException e) {
            // the server answered early (e.g. 413) and closed while the body was still going out
            return new Answer(-1, e.toString());
        }
    }

    private byte[] wire(FuzzRequest r) {
        StringBuilder head =
                new StringBuilder(r.method())
                        .append(' ')
                        .append(r.target())
                        .append(" HTTP/1.1\r\nHost: ")
                        .append(host)
                        .append("\r\nConnection: close\r\n");
        if (r.authorization() != null) {
            head.append("Authorization: ").append(r.authorization()).append("\r\n");
        }
        if (r.contentType() != null) {
            head.append("Content-Type: ").append(r.contentType()).append("\r\n");
        }
        byte[] body = r.body() == null ? new byte[0] : r.body();
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** Writes the bytes, half-closes, reads until the server closes or the timeout. */
    Answer sendRaw(byte[] wire, String what) throws Hung {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(wire);
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return parse(answer.toString(StandardCharsets.ISO_8859_1));
        } catch (SocketTimeoutException e) {
            throw new Hung(what);
        } catch (IOException e) {
            return new Answer(-1, e.toString()); // reset by the server: closed without an answer
        }
    }

    private static Answer parse(String response) {
        if (!response.startsWith("HTTP/")) {
            return new Answer(-1, response);
        }
        String[] statusLine = response.split("\r\n", 2)[0].split(" ");
        int bodyAt = response.indexOf("\r\n\r\n");
        return new Answer(
                Integer.parseInt(statusLine[1]), bodyAt < 0 ? "" : response.substring(bodyAt + 4));
    }
}
