package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpUtil;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.route.http.Exchange;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A small request body held in memory up to a cap, then handed whole to its handler: a larger one
 * is refused with 413 as soon as its {@code Content-Length} or its bytes say so, never buffered
 * whole. For the admin API's JSON and the token endpoint's form.
 */
public final class SmallBody implements BodyConsumer {
  private final int maxSize;
  private final Consumer<byte[]> handler;
  private byte[] bytes = new byte[1024];
  private int size;

  private SmallBody(int maxSize, Consumer<byte[]> handler) {
    this.maxSize = maxSize;
    this.handler = requireNonNull(handler, "handler");
  }

  /**
   * Reads the request's body, then hands {@code handler} its bytes (exactly the body's length).
   *
   * @throws OciException SIZE_INVALID (413) at once when the declared length is over the cap
   */
  public static SmallBody of(Exchange exchange, int maxSize, Consumer<byte[]> handler) {
    long declared = HttpUtil.getContentLength(exchange.request(), -1L);
    if (declared > maxSize) {
      throw tooLarge(maxSize);
    }
    return new SmallBody(maxSize, handler);
  }

  @Override
  public void content(ByteBuf content) {
    int n = content.readableBytes();
    if ((long) size + n > maxSize) {
      throw tooLarge(maxSize);
    }
    if (size + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.min(maxSize, Math.max(size + n, bytes.length * 2)));
    }
    content.getBytes(content.readerIndex(), bytes, size, n);
    size += n;
  }

  @Override
  public void end() {
    byte[] body = Arrays.copyOf(bytes, size);
    bytes = new byte[0];
    handler.accept(body);
  }

  @Override
  public void abort() {
    bytes = new byte[0];
  }

  private static OciException tooLarge(int maxSize) {
    return OciException.withStatus(OciError.SIZE_INVALID, 413, "the request body is over " + maxSize + " bytes");
  }
}
