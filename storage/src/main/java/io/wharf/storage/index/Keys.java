package io.wharf.storage.index;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;

/**
 * Key encodings. Components are joined with NUL, which no name, tag or digest can contain, and
 * NUL sorts before every character they can, so a prefix scan of {@code repo NUL} lists exactly
 * that repository's entries in lexical order, never a sibling such as {@code repo-x}.
 */
public final class Keys {
  public static final char SEP = '\0';

  private Keys() {}

  public static String of(String... parts) {
    return String.join(String.valueOf(SEP), parts);
  }

  public static String repoPrefix(RepositoryName repo) {
    return repo.value() + SEP;
  }

  public static String inRepo(RepositoryName repo, String rest) {
    return repo.value() + SEP + rest;
  }

  public static String inRepo(RepositoryName repo, Digest digest) {
    return inRepo(repo, digest.toString());
  }

  /** The last component of a key. */
  public static String last(String key) {
    return key.substring(key.lastIndexOf(SEP) + 1);
  }
}
