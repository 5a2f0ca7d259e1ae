package io.wharf.storage.index;

/** A repository that has content: when it was first written (epoch millis). */
public record RepositoryRecord(long createdAt) {}
