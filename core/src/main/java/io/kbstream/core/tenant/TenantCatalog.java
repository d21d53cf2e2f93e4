package io.kbstream.core.tenant;

import io.kbstream.core.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Tenants, their quota overrides and their API keys, in the control tables of shard 0 (migration
 * {@code 012_tenants.sql}). Only hashes of keys are stored. Every method is one short statement or
 * transaction; failures are {@link StoreException}s of shard 0.
 */
public final class TenantCatalog {

    /** A tenant row; null quota fields mean "the configured default". */
    public record Tenant(
            String id,
            Instant createdAt,
            Instant deletingSince,
            Long maxDocuments,
            Long maxBytes,
            Double maxRequestsPerSecond) {

        public boolean deleting() {
            return deletingSince != null;
        }
    }

    /** A key row: its shown prefix, owner, SHA-256 and lifetime. */
    public record Key(
            String prefix,
            String tenant,
            byte[] sha256,
            Instant createdAt,
            Instant expiresAt,
            Instant revokedAt) {

        /** Not revoked and not expired at {@code now}. */
        public boolean liveAt(Instant now) {
            return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
        }
    }

    /** Quota overrides to set; a null field is left as it is. */
    public record QuotaChange(Long maxDocuments, Long maxBytes, Double maxRequestsPerSecond) {}

    /** Everything the API's key snapshot needs, read in one transaction. */
    public record Snapshot(List<Tenant> tenants, List<Key> keys) {}

    private static final String TENANT_COLUMNS =
            "tenant, created_at, deleting_since, max_documents, max_bytes, max_requests_per_second";
    private static final String KEY_COLUMNS =
            "prefix, tenant, sha256, created_at, expires_at, revoked_at";

    private final DataSource catalog;

    /**
     * @param catalog shard 0's primary
     */
    public TenantCatalog(DataSource catalog) {
        this.catalog = catalog;
    }

    /** Creates the tenant; false if it exists already. */
    public boolean create(String tenant) {
        return update(
                        "INSERT INTO tenants (tenant) VALUES (?) ON CONFLICT DO NOTHING",
                        st -> st.setString(1, tenant))
                > 0;
    }

    public List<Tenant> tenants() {
        return query(
                "SELECT " + TENANT_COLUMNS + " FROM tenants ORDER BY tenant",
                st -> {},
                this::tenant);
    }

    public Optional<Tenant> find(String tenant) {
        return query(
                        "SELECT " + TENANT_COLUMNS + " FROM tenants WHERE tenant = ?",
                        st -> st.setString(1, tenant),
                        this::tenant)
                .stream()
                .findFirst();
    }

    /** Marks the tenant as being deleted (its keys are refused from now on); false if unknown. */
    public boolean markDeleting(String tenant) {
        return update(
                        "UPDATE tenants SET deleting_since = coalesce(deleting_since, now())"
                                + " WHERE tenant = ?",
                        st -> st.setString(1, tenant))
                > 0;
    }

    /** Removes the tenant and (by cascade) its keys: the last step of its deletion. */
    public void remove(String tenant) {
        update("DELETE FROM tenants WHERE tenant = ?", st -> st.setString(1, tenant));
    }

    /** Sets the given quota overrides; false if the tenant is unknown. */
    public boolean setQuotas(String tenant, QuotaChange change) {
        return update(
                        "UPDATE tenants SET max_documents = coalesce(?, max_documents),"
                                + " max_bytes = coalesce(?, max_bytes),"
                                + " max_requests_per_second = coalesce(?, max_requests_per_second)"
                                + " WHERE tenant = ? AND deleting_since IS NULL",
                        st -> {
                            setNullable(st, 1, change.maxDocuments(), Types.BIGINT);
                            setNullable(st, 2, change.maxBytes(), Types.BIGINT);
                            setNullable(st, 3, change.maxRequestsPerSecond(), Types.DOUBLE);
                            st.setString(4, tenant);
                        })
                > 0;
    }

    /**
     * Stores a key's hash under its prefix for a live tenant; false if the tenant is unknown or
     * being deleted.
     */
    public boolean addKey(String tenant, String prefix, byte[] sha256, Instant expiresAt) {
        return update(
                        "INSERT INTO api_keys (prefix, tenant, sha256, expires_at)"
                                + " SELECT ?, tenant, ?, ? FROM tenants"
                                + " WHERE tenant = ? AND deleting_since IS NULL",
                        st -> {
                            st.setString(1, prefix);
                            st.setBytes(2, sha256);
                            st.setTimestamp(
                                    3, expiresAt == null ? null : Timestamp.from(expiresAt));
                            st.setString(4, tenant);
                        })
                > 0;
    }

    /** The tenant's keys, newest first (revoked ones included, marked). */
    public List<Key> keys(String tenant) {
        return query(
                "SELECT "
                        + KEY_COLUMNS
                        + " FROM api_keys WHERE tenant = ?"
                        + " ORDER BY created_at DESC, prefix",
                st -> st.setString(1, tenant),
                this::key);
    }

    /** Revokes the tenant's key with this prefix; false if it has no such live key. */
    public boolean revoke(String tenant, String prefix) {
        return update(
                        "UPDATE api_keys SET revoked_at = now()"
                                + " WHERE tenant = ? AND prefix = ? AND revoked_at IS NULL",
                        st -> {
                            st.setString(1, tenant);
                            st.setString(2, prefix);
                        })
                > 0;
    }

    /** Every tenant and every key not revoked, consistent with each other. */
    public Snapshot snapshot() {
        try (Connection c = catalog.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                List<Tenant> tenants =
                        read(
                                c,
                                "SELECT " + TENANT_COLUMNS + " FROM tenants",
                                st -> {},
                                this::tenant);
                List<Key> keys =
                        read(
                                c,
                                "SELECT " + KEY_COLUMNS + " FROM api_keys WHERE revoked_at IS NULL",
                                st -> {},
                                this::key);
                c.commit();
                return new Snapshot(tenants, keys);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("reading the tenant catalog", e);
        }
    }

    // ------------------------------------------------------------------ plumbing

    private interface Binder {
        void bind(PreparedStatement st) throws SQLException;
    }

    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private int update(String sql, Binder binder) {
        try (Connection c = catalog.getConnection();
                PreparedStatement st = c.prepareStatement(sql)) {
            binder.bind(st);
            return st.executeUpdate();
        } catch (SQLException e) {
            throw failure("writing the tenant catalog", e);
        }
    }

    private <T> List<T> query(String sql, Binder binder, RowReader<T> reader) {
        try (Connection c = catalog.getConnection()) {
            return read(c, sql, binder, reader);
        } catch (SQLException e) {
            throw failure("reading the tenant catalog", e);
        }
    }

    private static <T> List<T> read(Connection c, String sql, Binder binder, RowReader<T> reader)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            binder.bind(st);
            try (ResultSet rs = st.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(reader.read(rs));
                }
                return rows;
            }
        }
    }

    private Tenant tenant(ResultSet rs) throws SQLException {
        return new Tenant(
                rs.getString(1),
                instant(rs.getTimestamp(2)),
                instant(rs.getTimestamp(3)),
                rs.getObject(4, Long.class),
                rs.getObject(5, Long.class),
                rs.getObject(6, Double.class));
    }

    private Key key(ResultSet rs) throws SQLException {
        return new Key(
                rs.getString(1),
                rs.getString(2),
                rs.getBytes(3),
                instant(rs.getTimestamp(4)),
                instant(rs.getTimestamp(5)),
                instant(rs.getTimestamp(6)));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static void setNullable(PreparedStatement st, int i, Object value, int type)
            throws SQLException {
        if (value == null) {
            st.setNull(i, type);
        } else {
            st.setObject(i, value);
        }
    }

    private static StoreException failure(String what, SQLException e) {
        return new StoreException(0, what + " failed: " + e.getMessage(), e);
    }
}
