package io.wharf.storage.index;

/** A committed blob: its size, and when it was first committed (epoch millis). */
public record BlobRecord(long size, long createdAt) {}
