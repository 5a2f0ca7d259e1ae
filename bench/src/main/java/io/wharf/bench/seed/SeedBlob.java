package io.wharf.bench.seed;

/**
 * A blob of a seeded image, as seed.json lists it.
 *
 * @param mediaType its media type in the manifest
 * @param digest {@code sha256:<hex>}
 * @param size its length in bytes
 */
public record SeedBlob(String mediaType, String digest, long size) {}
