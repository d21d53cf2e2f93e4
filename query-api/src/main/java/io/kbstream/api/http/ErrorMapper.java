package io.kbstream.api.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.router.JavalinDefaultRouting;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place errors become responses: {@code {"error": {"code", "message"}}} with the status
 * (and Retry-After) of the {@link ApiException}. It covers the exceptions handlers throw, Javalin's
 * own ({@link HttpResponseException}: 404, 405...), unreadable bodies, anything unexpected (a
 * logged 500 with a generic message), and the requests Jetty rejects before Javalin sees them
 * (ambiguous URIs, bad headers), which would otherwise get an HTML page.
 */
public final class ErrorMapper {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {}

    /** Installs the mapping on a server being configured. */
    public static void install(JavalinConfig cfg) {
        cfg.router.mount(ErrorMapper::mapExceptions);
        cfg.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrors()));
    }

    private static void mapExceptions(JavalinDefaultRouting routes) {
        routes.exception(ApiException.class, (e, ctx) -> respond(ctx, e));
        routes.exception(
                HttpResponseException.class,
                (e, ctx) -> respond(ctx, fromStatus(e.getStatus(), e.getMessage())));
        // reading a broken or aborted request body (Jetty throws these undeclared)
        routes.exception(
                IOException.class,
                (e, ctx) ->
                        respond(
                                ctx,
                                ApiException.badRequest("the request body could not be read")));
        routes.exception(
                Exception.class,
                (e, ctx) -> {
                    LOG.error(
                            "unexpected error on {} {}",
                            ctx.method(),
                            ctx.endpointHandlerPath(),
                            e);
                    respond(ctx, new ApiException(500, "internal", "internal error", 0));
                });
    }

    /** The error a bare HTTP status stands for, with a message safe to show. */
    static ApiException fromStatus(int status, String message) {
        String code =
                switch (status) {
                    case 400 -> "bad_request";
                    case 404 -> "not_found";
                    case 405 -> "method_not_allowed";
                    case 413 -> "payload_too_large";
                    case 415 -> "unsupported_media_type";
                    case 431 -> "headers_too_large";
                    // Jetty's answer to a request line claiming e.g. HTTP/9.9: the client's
                    // fault, though HTTP numbers it 5xx
                    case 505 -> "http_version_not_supported";
                    default -> status >= 500 ? "internal" : "error";
                };
        String safe = message == null ? code : message.replaceAll("\\p{Cntrl}", "?");
        return new ApiException(status, code, safe.length() > 200 ? code : safe, 0);
    }

    private static void respond(Context ctx, ApiException e) {
        if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        ctx.status(e.status()).json(body(e));
    }

    static Map<String, Object> body(ApiException e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", e.code());
        error.put("message", e.getMessage());
        return Map.of("error", error);
    }

    /** Jetty's own error pages, as the same JSON body. */
    private static final class JettyErrors extends ErrorHandler {

        JettyErrors() {
            setShowStacks(false);
            setShowServlet(false);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
            return ByteBuffer.wrap(json(status));
        }

        @Override
        protected void generateAcceptableResponse(
                Request baseRequest,
                HttpServletRequest request,
                HttpServletResponse response,
                int code,
                String message)
                throws IOException {
            baseRequest.setHandled(true);
            response.setContentType("application/json");
            response.getOutputStream().write(json(code));
        }

        /** Jetty's reason is not shown: it may echo the rejected request. */
        private static byte[] json(int status) {
            ApiException e =
                    fromStatus(
                            status, "the request was rejected by the HTTP server (" + status + ")");
            try {
                return Json.MAPPER.writeValueAsBytes(body(e));
            } catch (IOException impossible) {
                return "{}".getBytes(StandardCharsets.UTF_8);
            }
        }
    }
}
