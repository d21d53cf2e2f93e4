package io.kbstream.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own error pages (requests it rejects before Javalin sees them, e.g. ambiguous URIs or bad
 * headers) as the API's JSON error body instead of HTML, so every error has one shape.
 */
final class JettyJsonErrors extends ErrorHandler {

    JettyJsonErrors() {
        setShowStacks(false);
        setShowServlet(false);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status).getBytes(StandardCharsets.UTF_8));
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
        response.getOutputStream().write(body(code).getBytes(StandardCharsets.UTF_8));
    }

    static String body(int status) {
        ApiException e = ApiServer.fromJavalin(status, null);
        return "{\"error\":{\"code\":\""
                + e.code()
                + "\",\"message\":\"the request was rejected by the HTTP server ("
                + status
                + ")\"}}";
    }
}
