package io.kbstream.api.documents;

import io.javalin.http.Context;
import io.kbstream.api.documents.DocumentService.Accepted;
import io.kbstream.api.http.ApiException;
import io.kbstream.api.http.Auth;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Upload, status, delete and listing of the caller's documents. */
public final class DocumentController {

    private final DocumentService documents;
    private final UploadParser parser;
    private final DocumentListing listing;

    public DocumentController(
            DocumentService documents, UploadParser parser, DocumentListing listing) {
        this.documents = documents;
        this.parser = parser;
        this.listing = listing;
    }

    /** {@code GET /v1/documents?status=&cursor=&limit=}: a page of the tenant's documents. */
    public void list(Context ctx) {
        ListingRequest request =
                ListingRequest.fromQueryParams(
                        ctx.queryParam("status"),
                        ctx.queryParam("cursor"),
                        ctx.queryParam("limit"));
        ctx.json(listing.list(Auth.tenant(ctx), request));
    }

    /** {@code POST /v1/documents}: a new document (id generated unless given) → 202. */
    public void create(Context ctx) {
        accepted(ctx, documents.upload(Auth.tenant(ctx), parser.parse(ctx, null)), "ACCEPTED");
    }

    /** {@code PUT /v1/documents/{id}}: create or replace the document with this id → 202. */
    public void replace(Context ctx) {
        String id = Validation.documentId(ctx.pathParam("id"));
        accepted(ctx, documents.upload(Auth.tenant(ctx), parser.parse(ctx, id)), "ACCEPTED");
    }

    /** {@code GET /v1/documents/{id}}: the latest status, 404 if the tenant has no such id. */
    public void status(Context ctx) {
        String id = Validation.documentId(ctx.pathParam("id"));
        ctx.json(
                documents
                        .status(Auth.tenant(ctx), id)
                        .orElseThrow(() -> ApiException.notFound("no document with this id")));
    }

    /** {@code DELETE /v1/documents/{id}} → 202 once the delete is on the event log. */
    public void delete(Context ctx) {
        String id = Validation.documentId(ctx.pathParam("id"));
        accepted(ctx, documents.delete(Auth.tenant(ctx), id), "DELETING");
    }

    private static void accepted(Context ctx, Accepted accepted, String status) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", accepted.id());
        body.put("version", accepted.version());
        body.put("status", status);
        body.put("statusUrl", statusUrl(accepted.id()));
        ctx.status(202).json(body);
    }

    static String statusUrl(String id) {
        return "/v1/documents/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
