package io.wharf.storage.index;

/** An open upload session: its repository and when it started (epoch millis). */
public record UploadRecord(String repository, long startedAt) {}
