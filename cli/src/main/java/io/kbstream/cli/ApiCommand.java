package io.kbstream.cli;

import io.kbstream.api.ApiServer;
import io.kbstream.core.config.KbConfig;
import io.kbstream.stack.ForegroundProcess;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

/**
 * {@code kb api}: the query API in this process until stopped (Ctrl-C, or {@code kb stack down}:
 * its pid file is the one {@code kb stack status} shows, started here or in the background).
 */
@Command(
        name = "api",
        mixinStandardHelpOptions = true,
        description = "Run the query API on kb.api.port.")
final class ApiCommand implements Callable<Integer> {

    @Override
    public Integer call() throws InterruptedException {
        KbConfig config = KbConfig.load();
        ForegroundProcess.claim(config, "api");
        ApiServer server = ApiServer.create(config).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.stop();
                                    stopped.countDown();
                                },
                                "kb-api-stop"));
        System.out.println("query API listening on port " + server.port());
        stopped.await();
        return 0;
    }
}
