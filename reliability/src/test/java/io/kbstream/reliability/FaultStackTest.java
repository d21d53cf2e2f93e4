package io.kbstream.reliability;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.stack.StackService;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Tests for {@link FaultStack#requireDown}: a kill counts only when the service is really down. */
class FaultStackTest {

    /** A service as {@code kb stack status} would show it, listening on {@code port}. */
    private static StackService service(boolean running, int port) {
        return new StackService() {
            @Override
            public String name() {
                return "redis";
            }

            @Override
            public String endpoint() {
                return "redis://127.0.0.1:" + port;
            }

            @Override
            public void up() {}

            @Override
            public void down() {}

            @Override
            public void kill() {}

            @Override
            public Status status() {
                return new Status(running, running ? "running, pid 4242" : "stopped");
            }
        };
    }

    @Test
    void a_service_whose_process_still_runs_is_not_down() {
        assertThatThrownBy(() -> FaultStack.requireDown(service(true, 1)))
                .hasMessageContaining("redis still runs after SIGKILL: running, pid 4242");
    }

    @Test
    void a_service_whose_port_still_answers_is_not_down() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = listening.getLocalPort();

            assertThatThrownBy(() -> FaultStack.requireDown(service(false, port)))
                    .hasMessageContaining("still answers");
        }
    }

    @Test
    void a_stopped_service_with_a_closed_port_is_down() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }

        assertThatCode(() -> FaultStack.requireDown(service(false, port)))
                .doesNotThrowAnyException();
    }
}
