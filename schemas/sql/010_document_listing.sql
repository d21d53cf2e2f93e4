-- Document listing pages through a tenant's ids in byte order (COLLATE "C"), the order Redis'
-- lexicographic ranges use too, so the shards' rows and the Redis status index merge by one key.
-- The primary key's order follows the database's collation, which may not be byte order.
CREATE INDEX IF NOT EXISTS documents_tenant_id_bytes ON documents (tenant, id COLLATE "C");
