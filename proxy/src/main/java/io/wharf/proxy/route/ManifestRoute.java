package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.Manifest;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.oci.manifest.MediaTypes;
import io.wharf.oci.manifest.Platform;
import io.wharf.proxy.registry.ManifestService;
import io.wharf.proxy.registry.StoredManifest;
import io.wharf.proxy.route.http.AcceptHeader;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code /v2/<name>/manifests/<reference>}: GET and HEAD with Accept negotiation, PUT with a
 * capped body, DELETE.
 *
 * <p>Negotiation, as registry:2 (distribution v3) does it, with q-values honoured: no usable
 * {@code Accept} serves the manifest as stored; a stored type the client accepts is served as is;
 * an index or manifest list asked for by tag by a client that accepts only image manifests is
 * answered with its linux/amd64 child, fetched by digest from the same service (distribution's
 * default platform); anything else is MANIFEST_UNKNOWN naming the stored type. Stored bytes are
 * never rewritten: their digest is the client's proof.
 */
final class ManifestRoute {
  private static final List<String> IMAGE_TYPES = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST);
  private static final Platform DEFAULT_PLATFORM = new Platform("linux", "amd64", null);

  private final ManifestService manifests;
  private final ManifestParser limits;

  ManifestRoute(ManifestService manifests, int maxSize) {
    this.manifests = requireNonNull(manifests, "manifests");
    this.limits = new ManifestParser(maxSize);
  }

  /** GET and HEAD. */
  void get(Exchange exchange, Route route) {
    RepositoryName repo = route.requireName();
    ManifestReference reference = route.requireReference();
    StoredManifest stored = manifests.get(repo, reference);
    AcceptHeader accept = AcceptHeader.parse(exchange.headers(HttpHeaderNames.ACCEPT));
    StoredManifest served = negotiate(repo, reference, stored, accept);
    Manifest manifest = served.manifest();
    HttpHeaders headers = Responses.headers()
        .set(Responses.DOCKER_CONTENT_DIGEST, manifest.digest().toString())
        .set(HttpHeaderNames.ETAG, Responses.etag(manifest.digest()));
    if (Responses.matchesIfNoneMatch(exchange, manifest.digest())) {
      exchange.send(HttpResponseStatus.NOT_MODIFIED, headers);
      return;
    }
    headers.set(HttpHeaderNames.CONTENT_TYPE, manifest.mediaType());
    exchange.send(HttpResponseStatus.OK, headers, Unpooled.wrappedBuffer(served.body()));
  }

  /** PUT: reads the body up to the cap, then stores it. */
  BodyConsumer put(Exchange exchange, Route route) {
    RepositoryName repo = route.requireName();
    ManifestReference reference = route.requireReference();
    long declared = HttpUtil.getContentLength(exchange.request(), -1L);
    if (declared > limits.maxSize()) {
      throw limits.tooLarge(declared);
    }
    return new ManifestBody(exchange, repo, reference, declared);
  }

  void delete(Exchange exchange, Route route) {
    manifests.delete(route.requireName(), route.requireReference());
    exchange.send(HttpResponseStatus.ACCEPTED, Responses.headers());
  }

  private StoredManifest negotiate(
      RepositoryName repo, ManifestReference reference, StoredManifest stored, AcceptHeader accept) {
    Manifest manifest = stored.manifest();
    if (accept.accepts(manifest.mediaType())) {
      return stored;
    }
    String why = reference + " is " + manifest.mediaType() + " but the Accept header allows " + accept;
    if (manifest.isIndex() && !reference.isDigest() && accept.acceptsAnyOf(IMAGE_TYPES)) {
      Optional<Descriptor> child = defaultPlatform(manifest);
      if (child.isEmpty()) {
        throw new OciException(OciError.MANIFEST_UNKNOWN, why + ", and it has no " + DEFAULT_PLATFORM + " image");
      }
      StoredManifest image = manifests.get(repo, ManifestReference.of(child.get().digest()));
      if (accept.accepts(image.manifest().mediaType())) {
        return image;
      }
      why += "; its " + DEFAULT_PLATFORM + " image is " + image.manifest().mediaType();
    }
    throw new OciException(OciError.MANIFEST_UNKNOWN, why);
  }

  private static Optional<Descriptor> defaultPlatform(Manifest index) {
    for (Descriptor d : index.manifests()) {
      Platform p = d.platform();
      if (p != null && p.os().equals(DEFAULT_PLATFORM.os()) && p.architecture().equals(DEFAULT_PLATFORM.architecture())) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** The body of a manifest PUT, held in memory up to the cap (4 MiB by default). */
  private final class ManifestBody implements BodyConsumer {
    private final Exchange exchange;
    private final RepositoryName repo;
    private final ManifestReference reference;
    private byte[] bytes;
    private int size;

    ManifestBody(Exchange exchange, RepositoryName repo, ManifestReference reference, long declared) {
      this.exchange = exchange;
      this.repo = repo;
      this.reference = reference;
      this.bytes = new byte[declared >= 0 ? (int) declared : 8192];
    }

    @Override
    public void content(ByteBuf content) {
      int n = content.readableBytes();
      if ((long) size + n > limits.maxSize()) {
        throw limits.tooLarge((long) size + n);
      }
      if (size + n > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.min(limits.maxSize(), Math.max(size + n, bytes.length * 2)));
      }
      content.getBytes(content.readerIndex(), bytes, size, n);
      size += n;
    }

    @Override
    public void end() {
      byte[] body = size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
      String contentType = exchange.header(HttpHeaderNames.CONTENT_TYPE);
      ManifestService.PutResult result = manifests.put(repo, reference, body, contentType);
      Digest digest = result.digest();
      HttpHeaders headers = Responses.headers()
          .set(HttpHeaderNames.LOCATION, "/v2/" + repo + "/manifests/" + digest)
          .set(Responses.DOCKER_CONTENT_DIGEST, digest.toString());
      if (result.subject() != null) {
        headers.set(Responses.OCI_SUBJECT, result.subject().toString());
      }
      exchange.send(HttpResponseStatus.CREATED, headers);
    }

    @Override
    public void abort() {
      bytes = new byte[0];
    }
  }
}
