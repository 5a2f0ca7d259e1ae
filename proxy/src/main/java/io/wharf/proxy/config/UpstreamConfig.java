package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A registry wharf pulls through, and the proxy project named after it.
 *
 * @param name the proxy project, a single path component ({@code dockerhub})
 * @param host the registry host as image references write it, with a port if any ({@code
 *     docker.io}, {@code upstream.test:5000}); lower case, since it starts the canonical repository
 *     name
 * @param url where its distribution API is ({@code https://registry-1.docker.io})
 * @param tagTtl how long a cached tag is served before it is checked upstream again; 0 checks every
 *     time
 * @param username for the upstream's token or Basic auth; null (or empty) for anonymous pulls
 * @param password goes with {@code username}; never printed
 * @param caFile a PEM bundle of extra certificate authorities trusted for this upstream's TLS, on
 *     top of the JVM's; null (or empty) for none. {@link ConfigLoader} resolves a relative path
 *     against the working directory and checks that the file is readable
 * @param anonymousPull whether pulls through this proxy project need no account; null (unset)
 *     means true (nodes pull through containerd with no credentials)
 */
public record UpstreamConfig(
    String name,
    String host,
    URI url,
    Duration tagTtl,
    @Nullable String username,
    @Nullable String password,
    @Nullable Path caFile,
    @Nullable Boolean anonymousPull) {
  /** The registry host of Docker Hub as image references write it. */
  public static final String DOCKER_HUB = "docker.io";

  // the domain part of distribution/reference's grammar, port included; no IPv6 literal, which
  // could not be written as the first component of a repository name
  private static final String LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
  private static final Pattern HOST =
      Pattern.compile(LABEL + "(?:\\." + LABEL + ")*(?::(0|[1-9][0-9]{0,4}))?");

  /** An upstream anyone may pull through, as upstreams are by default. */
  public UpstreamConfig(
      String name,
      String host,
      URI url,
      Duration tagTtl,
      @Nullable String username,
      @Nullable String password,
      @Nullable Path caFile) {
    this(name, host, url, tagTtl, username, password, caFile, null);
  }

  /** Whether pulls through this proxy project need no account. */
  public boolean allowsAnonymousPull() {
    return anonymousPull == null || anonymousPull;
  }

  public UpstreamConfig {
    requireNonNull(name, "name");
    requireNonNull(host, "host");
    requireNonNull(url, "url");
    requireNonNull(tagTtl, "tagTtl");
    ProjectConfig.requireComponent("name", name, "upstream");
    if (!HOST.matcher(host).matches()) {
      throw ConfigException.forKey(
          "host",
          "'"
              + host
              + "' is not a registry host (a lower-case host name with an optional port, like"
              + " docker.io or upstream.test:5000)");
    }
    int colon = host.indexOf(':');
    if (colon >= 0 && Integer.parseInt(host.substring(colon + 1)) > 65535) {
      throw ConfigException.forKey("host", "'" + host + "': the port must be in 0..65535");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if ((!scheme.equals("http") && !scheme.equals("https")) || url.getHost() == null) {
      throw ConfigException.forKey(
          "url", "'" + url + "' is not an http or https URL (like https://registry-1.docker.io)");
    }
    if (url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
      throw ConfigException.forKey(
          "url",
          "'"
              + redact(url)
              + "' must have no user, query or fragment (credentials go in"
              + " username and password)");
    }
    if (tagTtl.isNegative()) {
      throw ConfigException.forKey("tagTtl", "cannot be negative");
    }
    // an empty Secret value means "not set": Kubernetes cannot unset a variable it templates
    username = username == null || username.isEmpty() ? null : username;
    password = password == null || password.isEmpty() ? null : password;
    if ((username == null) != (password == null)) {
      throw ConfigException.forKey(
          username == null ? "username" : "password",
          "username and password are set together or not at all");
    }
    if (caFile != null && !scheme.equals("https")) {
      throw ConfigException.forKey(
          "caFile", "is set but url '" + url + "' is not https: the CA would never be used");
    }
  }

  /** This upstream with its CA file resolved against {@code directory} (when relative). */
  UpstreamConfig withCaFileUnder(Path directory) {
    return caFile == null
        ? this
        : new UpstreamConfig(
            name, host, url, tagTtl, username, password, directory.resolve(caFile).normalize(),
            anonymousPull);
  }

  /**
   * The host as the first component of a canonical repository name: {@link #host()} with the
   * {@code :} of a port written {@code _} ({@code docker.io}, {@code upstream.test_5000}), which
   * keeps it a valid path component (DESIGN.md, "Which upstream a request means").
   */
  public String hostKey() {
    return hostKey(host);
  }

  /** {@link #hostKey()} of a host written as image references write it. */
  public static String hostKey(String host) {
    return host.replace(':', '_');
  }

  /** Whether this is Docker Hub, whose one-word names ({@code nginx}) mean {@code library/nginx}. */
  public boolean isDockerHub() {
    return host.equals(DOCKER_HUB);
  }

  /** Whether pulls from this upstream authenticate with {@link #username()}. */
  public boolean hasCredentials() {
    return username != null;
  }

  @Override
  public String toString() {
    return "UpstreamConfig[name="
        + name
        + ", host="
        + host
        + ", url="
        + url
        + ", tagTtl="
        + Durations.format(tagTtl)
        + ", username="
        + username
        + ", password="
        + (password == null ? "null" : "<redacted>")
        + ", caFile="
        + caFile
        + ", anonymousPull="
        + anonymousPull
        + "]";
  }

  private static String redact(URI url) {
    String userInfo = url.getRawUserInfo();
    return userInfo == null ? url.toString() : url.toString().replace(userInfo, "<redacted>");
  }
}
