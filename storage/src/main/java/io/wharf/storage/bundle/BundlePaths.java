package io.wharf.storage.bundle;

import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;

/** Paths inside a bundle, as tars write them ({@code ./x}, {@code x}, sometimes {@code /x}). */
final class BundlePaths {
  private BundlePaths() {}

  /** {@code ./a//b/./c} is {@code a/b/c}; null when the path climbs out of the bundle ({@code ../x}). */
  static @Nullable String normalize(String path) {
    Deque<String> parts = new ArrayDeque<>();
    for (String p : path.replace('\\', '/').split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (parts.isEmpty()) {
          return null;
        }
        parts.removeLast();
      } else {
        parts.addLast(p);
      }
    }
    return String.join("/", parts);
  }

  /** A symbolic link's target as a bundle path: relative targets resolve against the link's folder. */
  static @Nullable String resolveLink(String linkPath, String target) {
    if (target.startsWith("/")) {
      return normalize(target);
    }
    int slash = linkPath.lastIndexOf('/');
    return normalize(slash < 0 ? target : linkPath.substring(0, slash + 1) + target);
  }
}
