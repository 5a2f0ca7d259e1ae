package io.wharf.oci;

import org.jspecify.annotations.Nullable;

/**
 * The {@code <reference>} of {@code /v2/<name>/manifests/<reference>}: a tag or a digest, never both.
 */
public record ManifestReference(@Nullable Tag tag, @Nullable Digest digest) {
  public ManifestReference {
    if ((tag == null) == (digest == null)) {
      throw new IllegalArgumentException("exactly one of tag and digest");
    }
  }

  /**
   * Parses untrusted text: a digest when it contains {@code :}, a tag otherwise.
   *
   * @throws OciException DIGEST_INVALID or TAG_INVALID
   */
  public static ManifestReference parse(String text) {
    if (text != null && text.indexOf(':') >= 0) {
      return new ManifestReference(null, Digest.parse(text));
    }
    return new ManifestReference(Tag.parse(text), null);
  }

  public static ManifestReference of(Tag tag) {
    return new ManifestReference(tag, null);
  }

  public static ManifestReference of(Digest digest) {
    return new ManifestReference(null, digest);
  }

  public boolean isDigest() {
    return digest != null;
  }

  @Override
  public String toString() {
    return digest != null ? digest.toString() : String.valueOf(tag);
  }
}
