package io.kbstream.benchmark.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link JfrProfile}, on a real flight recording of this JVM. */
class JfrProfileTest {

    @Test
    void the_settings_sample_every_millisecond_and_keep_every_socket_read_and_park(
            @TempDir Path dir) throws Exception {
        String jfc = Files.readString(JfrProfile.writeSettings(dir));

        Configuration parsed = Configuration.create(dir.resolve("kb-search-profile.jfc"));
        assertThat(parsed.getSettings()).containsEntry("jdk.SocketRead#threshold", "0 ms");
        assertThat(parsed.getSettings()).containsEntry("jdk.ExecutionSample#period", "1 ms");
        assertThat(parsed.getSettings()).containsEntry("jdk.NativeMethodSample#period", "1 ms");
        assertThat(parsed.getSettings()).containsEntry("jdk.ThreadPark#threshold", "0 ms");
        assertThat(jfc).contains("jdk.GarbageCollection");
        assertThatThrownBy(() -> JfrProfile.setting(jfc, "jdk.NoSuchEvent", "period", "1 ms"))
                .hasMessageContaining("jdk.NoSuchEvent");
    }

    @Test
    @SuppressWarnings("unchecked")
    void socket_waits_are_charged_to_the_named_peer_per_request_and_only_inside_the_window(
            @TempDir Path dir) throws Exception {
        Path jfr = dir.resolve("test.jfr");
        int reads = 20;
        Instant from;
        Instant to;
        int port;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Recording recording =
                        new Recording(Configuration.create(JfrProfile.writeSettings(dir)))) {
            port = server.getLocalPort();
            Thread echo =
                    new Thread(
                            () -> {
                                try (Socket s = server.accept();
                                        InputStream in = s.getInputStream();
                                        OutputStream out = s.getOutputStream()) {
                                    for (int b; (b = in.read()) >= 0; ) {
                                        Thread.sleep(5); // each answer waits: a read worth timing
                                        out.write(b);
                                        out.flush();
                                    }
                                } catch (Exception e) {
                                    // the client closed
                                }
                            });
            echo.start();
            recording.start();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                client.getOutputStream().write(1); // before the window: not counted
                client.getInputStream().read();
                // a gap between the reads outside the window and its edges, so no clock rounding
                // can carry one of them across an edge
                Thread.sleep(50);
                from = Instant.now();
                for (int i = 0; i < reads; i++) {
                    client.getOutputStream().write(1);
                    client.getInputStream().read();
                }
                to = Instant.now();
                Thread.sleep(50); // the same gap after the window's end
                client.getOutputStream().write(1); // after the window: not counted
                client.getInputStream().read();
            }
            echo.join();
            recording.stop();
            recording.dump(jfr);
        }

        Map<String, Object> m =
                JfrProfile.window(JfrProfile.events(jfr), from, to, 10, Map.of(port, "echo"));

        Map<String, Object> peers = (Map<String, Object>) m.get("socketReadsByPeer");
        Map<String, Object> echo = (Map<String, Object>) peers.get("echo");
        assertThat(echo).as("socket reads by peer: %s", peers).isNotNull();
        assertThat((Double) echo.get("readsPerRequest")).isEqualTo(2.0); // 20 reads, 10 requests
        assertThat((Double) echo.get("msPerRequest")).isGreaterThanOrEqualTo(2 * 5 * 0.8);
        assertThat(m.get("requests")).isEqualTo(10L);
    }

    @Test
    void a_pool_of_numbered_threads_is_one_group() {
        assertThat(JfrProfile.threadGroup("qtp123-45")).isEqualTo("qtpN-N");
        assertThat(JfrProfile.threadGroup(null)).isEqualTo("unknown");
    }
}
