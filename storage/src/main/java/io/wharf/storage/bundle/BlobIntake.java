package io.wharf.storage.bundle;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.BlobInfo;
import io.wharf.storage.Storage;
import io.wharf.storage.Upload;
import io.wharf.storage.UploadWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Streams a bundle's blob entries into storage, one at a time, never holding a blob in memory.
 *
 * <p>A blob whose digest is known before reading it (its path says so, {@code blobs/sha256/<hex>})
 * and that storage already holds is skipped without reading: that is what makes a second import add
 * nothing and a rerun after an interruption not copy again what it committed. Any other blob is
 * uploaded through {@link io.wharf.storage.UploadStore} into the {@linkplain #STAGING staging
 * repository}, and completed with its expected digest, so storage verifies it and commits nothing
 * unverified. A blob whose digest only its bytes can tell (a classic docker save {@code layer.tar}) is
 * hashed as it is written, and dropped instead of committed when storage turns out to hold it.
 *
 * <p>Why staging: a tar may hold its blobs before the index.json or manifest.json that says which
 * images (and so which repositories) they belong to. Blobs are committed into staging as they come,
 * then linked into each image's repository once the images are known, and unlinked from staging at
 * the end of a successful import. A failed import leaves its blobs linked in staging, committed, for
 * the rerun to find. GC keeps freshly committed blobs for its grace period, so a blob committed early
 * in a long import is still there when the import links it.
 *
 * <p>Not thread-safe: one import.
 */
final class BlobIntake {
  /** Where blobs wait until the import knows their repositories; see the class comment. */
  static final RepositoryName STAGING = RepositoryName.parse("wharf-staging/import");

  private static final int CHUNK = 1024 * 1024;

  private final Storage storage;
  private final String bundle;
  private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
  private final Map<Digest, Boolean> seen = new LinkedHashMap<>();
  private long bytesNew;

  BlobIntake(Storage storage, String bundle) {
    this.storage = storage;
    this.bundle = bundle;
  }

  /**
   * Takes one entry as a blob.
   *
   * @param expected the digest the bundle says the entry has, or null when only its bytes can tell
   * @return the committed (or already present) blob
   * @throws OciException DIGEST_INVALID when the bytes are not the expected digest (nothing is
   *     committed for it); BLOB_UPLOAD_INVALID when the bundle ends inside the entry
   */
  BlobInfo take(BundleEntry entry, @Nullable Digest expected) throws IOException {
    if (expected != null) {
      Optional<BlobInfo> have = storage.blobs().find(expected);
      if (have.isPresent()) {
        seen.putIfAbsent(expected, false);
        return have.get();
      }
    }
    Upload upload = storage.uploads().start(STAGING);
    boolean done = false;
    try {
      Digest actual;
      try (UploadWriter writer = storage.uploads().open(STAGING, upload.id(), 0)) {
        copy(entry, writer);
        actual = writer.hashedDigest();
      }
      Digest digest = expected == null ? actual : expected;
      if (expected != null && !actual.equals(expected)) {
        throw new OciException(OciError.DIGEST_INVALID,
            "blob " + entry.path() + " in " + bundle + " is corrupt: its bytes are " + actual + ", not " + expected
                + "; nothing was stored for it");
      }
      if (expected == null) {
        Optional<BlobInfo> have = storage.blobs().find(actual);
        if (have.isPresent()) {
          // its digest was only known once read: already stored, so this copy is dropped
          seen.putIfAbsent(actual, false);
          return have.get();
        }
      }
      BlobInfo blob = storage.uploads().complete(STAGING, upload.id(), digest);
      done = true;
      if (seen.put(digest, true) == null) {
        bytesNew += blob.size();
      }
      return blob;
    } finally {
      if (!done) {
        cancelQuietly(upload);
      }
    }
  }

  /** Every distinct blob taken, and whether this import committed it (true) or storage had it (false). */
  Map<Digest, Boolean> seen() {
    return seen;
  }

  long bytesNew() {
    return bytesNew;
  }

  private void copy(BundleEntry entry, UploadWriter writer) throws IOException {
    InputStream in = entry.body();
    long total = 0;
    while (true) {
      buffer.clear();
      int n = in.read(buffer.array(), 0, (int) Math.min(CHUNK, Math.max(1, entry.size() - total)));
      if (n < 0) {
        break;
      }
      buffer.limit(n);
      writer.write(buffer);
      total += n;
      if (total >= entry.size()) {
        break;
      }
    }
    if (total != entry.size()) {
      throw new OciException(OciError.BLOB_UPLOAD_INVALID,
          "bundle " + bundle + " ends inside " + entry.path() + " (" + total + " of " + entry.size() + " bytes): it is truncated");
    }
  }

  private void cancelQuietly(Upload upload) {
    try {
      storage.uploads().cancel(STAGING, upload.id());
    } catch (OciException gone) {
      // completing discarded it already (a digest mismatch)
    }
  }
}
