package io.wharf.proxy.upstream;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * Where a streamed upstream blob body goes. Called from one thread at a time, in order.
 */
public interface BlobSink {
  /**
   * The response headers arrived.
   *
   * @param start the offset of the first byte that will follow (the Range start the upstream
   *     honoured; 0 when it answered 200 to a Range request, in which case the sink starts over)
   * @param total the whole blob's size when known (Content-Length, or Content-Range's total), else -1
   */
  void begin(long start, long total);

  /**
   * One chunk of the body. The buffer stays valid until the returned stage completes; the client
   * releases its memory then, and reads the next chunk only then (backpressure to the socket).
   *
   * @return completes when the chunk is written
   */
  CompletionStage<Void> write(ByteBuffer chunk);
}
