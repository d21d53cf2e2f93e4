-- Metadata filters are `metadata @> '{"k": "v"}'`; jsonb_path_ops is the compact GIN for @>.
CREATE INDEX IF NOT EXISTS documents_metadata_gin ON documents USING gin (metadata jsonb_path_ops);
-- Per-tenant listing and counts (the primary key already starts with tenant; this one is narrower).
CREATE INDEX IF NOT EXISTS documents_tenant ON documents (tenant);
