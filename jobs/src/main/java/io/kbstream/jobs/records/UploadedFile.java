package io.kbstream.jobs.records;

/** A file read by the UploadJob: its path (without scheme and authority) and its bytes. */
public class UploadedFile {

    public String path;
    public long size;
    public byte[] content;

    public UploadedFile() {}
}
