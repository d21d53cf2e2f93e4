package io.kbstream.api;

import io.kbstream.core.config.KbConfig;

/** The API process: {@code java -cp ... io.kbstream.api.ApiMain} (the image, the local stack). */
public final class ApiMain {

    private ApiMain() {}

    public static void main(String[] args) {
        ApiServer server = ApiServer.create(KbConfig.load()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "kb-api-stop"));
    }
}
