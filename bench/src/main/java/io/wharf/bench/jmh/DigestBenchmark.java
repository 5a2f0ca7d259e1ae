package io.wharf.bench.jmh;

import io.wharf.oci.Digest;
import io.wharf.oci.DigestAlgorithm;
import io.wharf.oci.Digester;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Hashing a blob as it streams (every byte of every push and fetch), and parsing a digest. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DigestBenchmark {
  @Param({"65536", "1048576"})
  public int chunkSize;

  private ByteBuffer chunk;
  private String digestText;

  @Setup
  public void setUp() {
    byte[] bytes = new byte[chunkSize];
    new SplittableRandom(1).nextBytes(bytes);
    chunk = ByteBuffer.allocateDirect(chunkSize).put(bytes).flip();
    digestText = Digest.sha256Of(bytes).toString();
  }

  /** One chunk through the streaming hasher, as uploads and fetches feed it. */
  @Benchmark
  public Digest sha256Chunk() {
    Digester d = Digester.of(DigestAlgorithm.SHA256);
    d.update(chunk.duplicate());
    return d.digest();
  }

  /** Validating a digest from a URL: every blob and manifest-by-digest request does it. */
  @Benchmark
  public Digest parseDigest() {
    return Digest.parse(digestText);
  }
}
