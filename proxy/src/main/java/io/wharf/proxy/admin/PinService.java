package io.wharf.proxy.admin;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.storage.Pin;
import io.wharf.storage.Storage;
import java.util.List;

/**
 * {@code wharf pin} and {@code wharf unpin}: pins name an image that is on disk, so that eviction
 * never removes it. The same code runs in the daemon (admin API) and in the CLI on storage it
 * opened itself.
 */
public final class PinService {
  /** The {@link Pin#source()} of a pin an operator set. */
  public static final String SOURCE = "cli";

  private final Storage storage;
  private final WharfConfig config;

  public PinService(Storage storage, WharfConfig config) {
    this.storage = requireNonNull(storage, "storage");
    this.config = requireNonNull(config, "config");
  }

  /**
   * Pins an image that is cached: a tag pins the manifest it names now (pinning it again after the
   * tag moved follows it), a digest pins that manifest.
   *
   * @throws OciException MANIFEST_UNKNOWN when the image is not on disk: prefetch it first, as a
   *     pin must never promise content wharf does not hold
   */
  public Pin pin(String image) {
    ImageRef ref = ImageRef.resolve(image, config);
    Digest digest = cachedDigest(ref);
    return storage.pins().pin(ref.repository(), ref.manifest(), digest, SOURCE);
  }

  /**
   * Removes a pin; the image stays cached until eviction or GC removes it.
   *
   * @return whether it was pinned
   */
  public boolean unpin(String image) {
    ImageRef ref = ImageRef.resolve(image, config);
    return storage.pins().unpin(ref.repository(), ref.manifest());
  }

  /** Every pin, by repository then reference. */
  public List<Pin> list() {
    return storage.pins().list();
  }

  private Digest cachedDigest(ImageRef ref) {
    Digest digest;
    if (ref.manifest().isDigest()) {
      digest = requireNonNull(ref.manifest().digest());
    } else {
      digest = storage.tags().find(ref.repository(), requireNonNull(ref.manifest().tag()))
          .map(t -> Digest.parse(t.digest()))
          .orElseThrow(() -> notCached(ref));
    }
    if (!storage.manifests().contains(ref.repository(), digest)) {
      throw notCached(ref);
    }
    return digest;
  }

  private static OciException notCached(ImageRef ref) {
    return new OciException(
        OciError.MANIFEST_UNKNOWN,
        ref + " is not cached (stored as " + ref.repository() + "): run `wharf prefetch " + ref
            + "` first, then pin it");
  }
}
