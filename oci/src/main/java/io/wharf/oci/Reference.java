package io.wharf.oci;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * An image reference, {@code [domain/]path[:tag][@digest]}, as distribution/reference parses it.
 *
 * <pre>
 * domain    := host (':' port)?
 * host      := domain-component ('.' domain-component)* | '[' IPv6 ']'
 * domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 * path      := {@link RepositoryName}
 * </pre>
 *
 * <p>The first component is a domain only when it contains {@code .} or {@code :}, is {@code
 * localhost}, or has an uppercase letter, exactly as distribution's {@code splitDomain} decides.
 */
public record Reference(@Nullable String domain, RepositoryName path, @Nullable Tag tag, @Nullable Digest digest) {
  /** The domain Docker Hub images are normalised to. */
  public static final String DOCKER_HUB = "docker.io";

  private static final int MAX_LENGTH = 1024;

  public Reference {
    requireNonNull(path, "path");
    if (domain != null && !isDomain(domain)) {
      throw new IllegalArgumentException("invalid domain: " + domain);
    }
  }

  /**
   * Parses a reference as written, without normalisation ({@code nginx} stays {@code nginx}).
   *
   * @throws OciException NAME_INVALID, TAG_INVALID or DIGEST_INVALID for the part that is wrong
   */
  public static Reference parse(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
      throw new OciException(OciError.NAME_INVALID, "invalid reference: " + shorten(text));
    }
    String rest = text;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = Digest.parse(rest.substring(at + 1));
      rest = rest.substring(0, at);
    }
    Tag tag = null;
    int lastSlash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
      tag = Tag.parse(rest.substring(colon + 1));
      rest = rest.substring(0, colon);
    }
    String domain = null;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")
          || !first.equals(first.toLowerCase(java.util.Locale.ROOT))) {
        if (!isDomain(first)) {
          throw new OciException(OciError.NAME_INVALID, "invalid domain in reference: " + shorten(text));
        }
        domain = first;
        rest = rest.substring(slash + 1);
      }
    }
    return new Reference(domain, RepositoryName.parse(rest), tag, digest);
  }

  /**
   * Parses a reference the way Docker normalises it: no domain means {@code docker.io}, a one-word
   * Docker Hub name gains {@code library/}, and no tag or digest means {@code latest}.
   */
  public static Reference parseNormalized(String text) {
    Reference r = parse(text);
    String domain = r.domain == null || r.domain.equals("index.docker.io") ? DOCKER_HUB : r.domain;
    RepositoryName path = r.path;
    if (domain.equals(DOCKER_HUB) && !path.value().contains("/")) {
      path = path.prefixedWith("library");
    }
    Tag tag = r.tag == null && r.digest == null ? new Tag("latest") : r.tag;
    return new Reference(domain, path, tag, r.digest);
  }

  /** {@code domain/path}, or just the path when there is no domain. */
  public String name() {
    return domain == null ? path.value() : domain + "/" + path.value();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(name());
    if (tag != null) {
      b.append(':').append(tag.value());
    }
    if (digest != null) {
      b.append('@').append(digest);
    }
    return b.toString();
  }

  /** Whether the text is a registry domain: host components or a bracketed IPv6, optional port. */
  public static boolean isDomain(String s) {
    if (s == null || s.isEmpty() || s.length() > 255) {
      return false;
    }
    String host = s;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        return false;
      }
      String v6 = s.substring(1, close);
      if (v6.isEmpty() || !v6.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
        return false;
      }
      String after = s.substring(close + 1);
      return after.isEmpty() || (after.startsWith(":") && isPort(after.substring(1)));
    }
    int colon = s.indexOf(':');
    if (colon >= 0) {
      if (!isPort(s.substring(colon + 1))) {
        return false;
      }
      host = s.substring(0, colon);
    }
    if (host.isEmpty()) {
      return false;
    }
    for (String component : host.split("\\.", -1)) {
      if (!isDomainComponent(component)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isPort(String p) {
    if (p.isEmpty() || p.length() > 5) {
      return false;
    }
    for (int i = 0; i < p.length(); i++) {
      if (p.charAt(i) < '0' || p.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean isDomainComponent(String c) {
    if (c.isEmpty() || c.charAt(0) == '-' || c.charAt(c.length() - 1) == '-') {
      return false;
    }
    for (int i = 0; i < c.length(); i++) {
      char ch = c.charAt(i);
      boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String shorten(@Nullable String text) {
    return text == null ? "null" : text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
