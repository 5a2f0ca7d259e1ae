package io.wharf.storage.index;

/** Pulls of one manifest in one repository: the last one (epoch millis) and how many. */
public record AccessRecord(long lastPull, long pulls) {}
