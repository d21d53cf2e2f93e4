package io.kbstream.jobs.records;

/**
 * What the document assembler reads, keyed by document: an embedded chunk or a delete (exactly one
 * is set). One input instead of two, because a keyed operator that also reads the tenant tombstones
 * has room for one keyed input beside the broadcast one. A Flink POJO, so it travels with Flink's
 * own serializer.
 */
public class AssemblyInput {

    /** An embedded chunk; null for a delete. */
    public ChunkTask chunk;

    /** A delete passed by the version gate; null for a chunk. */
    public IndexOp delete;

    public AssemblyInput() {}

    public static AssemblyInput chunk(ChunkTask chunk) {
        AssemblyInput in = new AssemblyInput();
        in.chunk = chunk;
        return in;
    }

    public static AssemblyInput delete(IndexOp delete) {
        AssemblyInput in = new AssemblyInput();
        in.delete = delete;
        return in;
    }

    /** The Flink key: one document of one tenant. */
    public String documentKey() {
        return chunk != null ? chunk.documentKey() : delete.documentKey();
    }

    public String tenant() {
        return chunk != null ? chunk.tenant : delete.tenant;
    }

    /** The {@code kb.documents} partition of the document's event. */
    public int partition() {
        return chunk != null ? chunk.partition : delete.partition;
    }

    public long version() {
        return chunk != null ? chunk.version : delete.version;
    }
}
