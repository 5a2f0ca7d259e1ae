package io.wharf.proxy.route;

import io.netty.buffer.ByteBuf;

/**
 * Receives a request body as it arrives, piece by piece, for the routes that take one (manifest
 * PUT, blob uploads); bodies are never aggregated whole unless the route caps them.
 *
 * <p>Not thread-safe: called by the thread running the request, in order: {@link #content} for
 * each piece, then {@link #end} once, or {@link #abort} instead when the request fails or the
 * connection closes.
 */
public interface BodyConsumer {
  /**
   * Takes one piece of the body. The caller keeps ownership of {@code content} and releases it
   * after this returns.
   *
   * @throws io.wharf.oci.OciException when the body cannot be accepted (too large, storage refused)
   */
  void content(ByteBuf content);

  /** The body is complete: finish and answer the request. */
  void end();

  /** The request will not complete: release whatever is held. Never throws. */
  void abort();
}
