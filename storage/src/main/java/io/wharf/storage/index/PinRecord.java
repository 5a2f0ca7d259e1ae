package io.wharf.storage.index;

/**
 * A pinned reference: the manifest digest it named when pinned, when, and why ({@code import},
 * {@code push}, {@code cli}).
 */
public record PinRecord(String digest, long pinnedAt, String source) {}
