package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.config.ProjectConfig;
import io.wharf.proxy.config.UpstreamConfig;
import io.wharf.proxy.config.WharfConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Decides which repository a request means and where it comes from: DESIGN.md's table "Which
 * upstream a request means", first match wins.
 *
 * <pre>
 * #  request                                           canonical                     push
 * 1  ?ns=HOST, HOST configured                         HOSTKEY/path as sent (*)      DENIED
 * 2  ?ns=HOST, HOST not configured                     NAME_UNKNOWN, never dialled   DENIED
 * 3  NAME/rest, NAME an upstream's proxy project       HOSTKEY/rest (*)              DENIED
 * 4  HOSTKEY/rest, an upstream's host key              HOSTKEY/rest (*)              DENIED
 * 5  PROJECT/HOSTKEY/rest, PROJECT local               HOSTKEY/rest (*)              allowed
 * 6  PROJECT/..., PROJECT local                        as sent (local)               allowed
 * 7  HOST/rest, HOST looks like a host, unconfigured   NAME_UNKNOWN, never dialled   DENIED
 * 8  anything else                                     DEFAULTKEY/path (*), or
 *                                                      NAME_UNKNOWN with no default  DENIED
 * (*) on Docker Hub (docker.io) a one-word path gains library/: nginx is library/nginx
 * </pre>
 *
 * <p>A host key is the host with the {@code :} of a port written {@code _} ({@code
 * upstream.test_5000}), so that it is a valid first component. Rows 3, 4 and 7 need a path after
 * their first component and row 5 one after the host key: as in Docker's own normalisation, a
 * one-component name ({@code nginx}, {@code my.app}) never names a registry and falls through to
 * row 6 or 8. {@code ns} is matched against the upstream hosts ignoring case, port included; an
 * empty {@code ns} is a host that is not configured (row 2).
 *
 * <p>Thread-safe and immutable.
 */
public final class UpstreamResolver {
  private static final String PUSH_HINT = "pushes go to local projects";

  private final Set<String> localProjects;
  private final Map<String, UpstreamConfig> byName = new HashMap<>();
  private final Map<String, UpstreamConfig> byHost = new HashMap<>();
  private final Map<String, UpstreamConfig> byHostKey = new HashMap<>();
  private final @Nullable UpstreamConfig defaultUpstream;

  /**
   * @param localProjects the names of the local projects
   * @param upstreams the configured upstreams, names and host keys distinct from each other and
   *     from the projects (as {@link WharfConfig} checks)
   * @param defaultUpstream the upstream of rows 8, one of {@code upstreams}; null for none
   */
  public UpstreamResolver(
      Set<String> localProjects,
      List<UpstreamConfig> upstreams,
      @Nullable UpstreamConfig defaultUpstream) {
    this.localProjects = Set.copyOf(requireNonNull(localProjects, "localProjects"));
    for (UpstreamConfig upstream : requireNonNull(upstreams, "upstreams")) {
      byName.put(upstream.name(), upstream);
      byHost.put(upstream.host(), upstream);
      byHostKey.put(upstream.hostKey(), upstream);
    }
    if (defaultUpstream != null && !upstreams.contains(defaultUpstream)) {
      throw new IllegalArgumentException(
          "default upstream " + defaultUpstream.host() + " is not one of the upstreams");
    }
    this.defaultUpstream = defaultUpstream;
  }

  /** The resolver of a configuration: its local projects, upstreams and default upstream. */
  public static UpstreamResolver of(WharfConfig config) {
    return new UpstreamResolver(
        config.projects().stream().map(ProjectConfig::name).collect(Collectors.toSet()),
        config.upstreams(),
        config.defaultUpstreamConfig().orElse(null));
  }

  /**
   * Resolves a repository name as a request sent it.
   *
   * @param sent the name in the request's path, already parsed
   * @param ns the {@code ns} query parameter (a containerd mirror's registry host), or null
   * @param write whether the request changes the repository (PUT, POST, PATCH, DELETE)
   * @return the canonical name and its upstream
   * @throws OciException NAME_UNKNOWN for a registry host that is not configured (rows 2 and 7) or
   *     a name with no upstream (row 8 without a default), DENIED for a write anywhere but a local
   *     project (rows 5 and 6), NAME_INVALID when the canonical name would exceed 255 characters
   */
  public Resolution resolve(RepositoryName sent, @Nullable String ns, boolean write) {
    requireNonNull(sent, "sent");
    Resolution resolution = match(sent, ns, write);
    UpstreamConfig upstream = resolution.upstream();
    if (write && upstream != null && resolution.row() != 5) {
      throw denied(sent, "it is pulled through " + upstream.host());
    }
    return resolution;
  }

  /**
   * The upstream a canonical name belongs to: the one whose host key is its first component
   * ({@code docker.io/library/nginx} belongs to docker.io); empty for a local repository.
   */
  public Optional<UpstreamConfig> upstreamForCanonical(RepositoryName canonical) {
    return Optional.ofNullable(byHostKey.get(canonical.project()));
  }

  /**
   * The repository as its upstream knows it: a canonical name without its first component, the
   * host key ({@code docker.io/library/nginx} is {@code library/nginx}).
   *
   * @throws IllegalArgumentException when the name has a single component
   */
  public static RepositoryName remoteName(RepositoryName canonical) {
    String value = canonical.value();
    int slash = value.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + canonical + "' has no path after its host");
    }
    return new RepositoryName(value.substring(slash + 1));
  }

  private Resolution match(RepositoryName sent, @Nullable String ns, boolean write) {
    if (ns != null) {
      UpstreamConfig upstream = byHost.get(ns.toLowerCase(Locale.ROOT));
      if (upstream == null) {
        throw unknown(sent, write, "registry '" + shorten(ns) + "' (ns) is not an upstream here");
      }
      return Resolution.proxied(upstream, canonical(upstream, sent.value()), 1);
    }
    List<String> components = sent.components();
    String first = components.get(0);
    if (components.size() > 1) {
      String rest = sent.value().substring(first.length() + 1);
      UpstreamConfig named = byName.get(first);
      if (named != null) {
        return Resolution.proxied(named, canonical(named, rest), 3);
      }
      UpstreamConfig hosted = byHostKey.get(first);
      if (hosted != null) {
        return Resolution.proxied(hosted, canonical(hosted, rest), 4);
      }
    }
    if (localProjects.contains(first)) {
      UpstreamConfig hosted = components.size() > 2 ? byHostKey.get(components.get(1)) : null;
      if (hosted != null) {
        // the form image-rewrite webhooks produce: PROJECT/HOST/path is HOST/path
        String path = sent.value().substring(first.length() + hosted.hostKey().length() + 2);
        return Resolution.proxied(hosted, canonical(hosted, path), 5);
      }
      return Resolution.local(sent, 6);
    }
    if (components.size() > 1 && looksLikeHost(first)) {
      throw unknown(sent, write, "registry '" + first + "' is not an upstream here");
    }
    if (defaultUpstream == null) {
      throw unknown(
          sent, write, "it names no local project or upstream, and there is no default upstream");
    }
    return Resolution.proxied(defaultUpstream, canonical(defaultUpstream, sent.value()), 8);
  }

  /** {@code HOSTKEY/path}, with Docker Hub's {@code library/} before a one-word path. */
  private static RepositoryName canonical(UpstreamConfig upstream, String path) {
    boolean official = upstream.isDockerHub() && path.indexOf('/') < 0;
    return join(upstream.hostKey(), official ? "library/" + path : path);
  }

  // a name nobody serves: unknown to a read (so containerd falls back to the next host at once),
  // denied to a write, as every name outside a local project is
  private static OciException unknown(RepositoryName sent, boolean write, String why) {
    if (write) {
      return denied(sent, why);
    }
    return new OciException(OciError.NAME_UNKNOWN, "repository '" + sent + "' is unknown: " + why);
  }

  private static RepositoryName join(String hostKey, String path) {
    String name = hostKey + "/" + path;
    if (name.length() > RepositoryName.MAX_LENGTH) {
      throw new OciException(
          OciError.NAME_INVALID,
          "name '"
              + shorten(name)
              + "' is longer than "
              + RepositoryName.MAX_LENGTH
              + " characters with its registry host");
    }
    return RepositoryName.parse(name);
  }

  // Docker's rule for the first component of a reference (a '.' or ':', or localhost), with the
  // port written as in a host key (localhost_5000); every '.' case is already a dotted host
  private static boolean looksLikeHost(String component) {
    return component.indexOf('.') >= 0
        || component.equals("localhost")
        || component.matches("localhost_[0-9]+");
  }

  private static OciException denied(RepositoryName sent, String why) {
    return new OciException(
        OciError.DENIED,
        "push to '" + sent + "' denied: " + why + "; " + PUSH_HINT
            + " (PROJECT/... or PROJECT/HOST/...)");
  }

  private static String shorten(String s) {
    String cut = s.length() > 120 ? s.substring(0, 120) + "..." : s;
    StringBuilder b = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
