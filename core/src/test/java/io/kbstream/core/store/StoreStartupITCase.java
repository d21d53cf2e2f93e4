package io.kbstream.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.testing.LocalStackConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Opening the store while a shard accepts no connection yet: it waits up to {@code
 * kb.store.startup-wait} (a process started beside its shards, or on a busy machine, must not die
 * because one connection was slow), and without that wait it fails naming the shard.
 */
class StoreStartupITCase {

    @Test
    void opening_waits_for_a_shard_that_starts_accepting_connections_later() throws Exception {
        KbConfig config = LocalStackConfig.load();
        try (LateShard late = new LateShard(config.get(PostgresOptions.SHARDS).get(0), 2_000)) {
            KbConfig lateConfig =
                    config.with(PostgresOptions.SHARDS, late.url())
                            .with(PostgresOptions.CONNECT_TIMEOUT, "500")
                            .with(PostgresOptions.STARTUP_WAIT, "30000");
            try (ShardedStore store = ShardedStore.open(lateConfig)) {
                store.ping(0);
                assertThat(late.acceptedAfterMillis()).isGreaterThanOrEqualTo(2_000);
            }
        }
    }

    @Test
    void without_a_startup_wait_an_unreachable_shard_fails_the_open_naming_it() throws Exception {
        KbConfig config = LocalStackConfig.load();
        try (LateShard late = new LateShard(config.get(PostgresOptions.SHARDS).get(0), 60_000)) {
            KbConfig lateConfig =
                    config.with(PostgresOptions.SHARDS, late.url())
                            .with(PostgresOptions.CONNECT_TIMEOUT, "500")
                            .with(PostgresOptions.STARTUP_WAIT, "0");
            assertThatThrownBy(() -> ShardedStore.open(lateConfig).close())
                    .isInstanceOfSatisfying(
                            StoreException.class,
                            e -> {
                                assertThat(e.shard()).isZero();
                                assertThat(e.isUnreachable()).isTrue();
                            });
        }
    }

    /**
     * A port that refuses connections until {@code delayMillis} have passed, then forwards each
     * connection to a real shard: a shard that is still starting.
     */
    private static final class LateShard implements AutoCloseable {

        private final URI target;
        private final int port;
        private final long started = System.nanoTime();
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private volatile ServerSocket server;
        private volatile long acceptedAfterMillis = -1;

        LateShard(String jdbcUrl, long delayMillis) throws IOException {
            target = URI.create(jdbcUrl.substring("jdbc:".length()));
            try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            threads.submit(
                    () -> {
                        TimeUnit.MILLISECONDS.sleep(delayMillis);
                        server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
                        while (!server.isClosed()) {
                            Socket client = server.accept();
                            if (acceptedAfterMillis < 0) {
                                acceptedAfterMillis = (System.nanoTime() - started) / 1_000_000;
                            }
                            Socket shard = new Socket(target.getHost(), target.getPort());
                            threads.submit(() -> pipe(client, shard));
                            threads.submit(() -> pipe(shard, client));
                        }
                        return null;
                    });
        }

        String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + target.getPath();
        }

        long acceptedAfterMillis() {
            return acceptedAfterMillis;
        }

        private static Void pipe(Socket from, Socket to) {
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // the other side closed: the connection is over
            } finally {
                close(from);
                close(to);
            }
            return null;
        }

        private static void close(Socket socket) {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            threads.shutdownNow();
            if (server != null) {
                server.close();
            }
        }
    }
}
