package io.wharf.proxy.auth;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.util.Locale;

/**
 * What a request does to a repository, as Docker token scopes write it ({@code
 * repository:team/app:pull,push}).
 */
public enum Action {
  /** Read manifests, blobs, tags. */
  PULL,
  /** Upload blobs and put manifests. */
  PUSH,
  /** Delete manifests and blobs. */
  DELETE;

  /** The scope spelling: {@code pull}, {@code push}, {@code delete}. */
  public String scopeName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses the scope spelling.
   *
   * @throws OciException UNSUPPORTED (400) for anything else
   */
  public static Action parse(String text) {
    for (Action action : values()) {
      if (action.scopeName().equals(text)) {
        return action;
      }
    }
    throw OciException.withStatus(
        OciError.UNSUPPORTED, 400, "unknown action '" + shorten(text) + "' (pull, push or delete)");
  }

  private static String shorten(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
