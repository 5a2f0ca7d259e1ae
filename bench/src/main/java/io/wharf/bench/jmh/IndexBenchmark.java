package io.wharf.bench.jmh;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.storage.BlobInfo;
import io.wharf.storage.Storage;
import io.wharf.storage.Upload;
import io.wharf.storage.UploadWriter;
import io.wharf.storage.index.TagRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Index lookups a warm pull makes: a tag, then whether the repository links a blob. A real
 * RocksDB in a temp folder, filled with {@link #repositories} repositories' worth of links.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IndexBenchmark {
  /** Repositories filled in before measuring, each with one committed blob. */
  @Param({"2000"})
  public int repositories;

  private Path data;
  private Storage storage;
  private RepositoryName repo;
  private Tag tag;
  private Digest blob;

  @Setup(Level.Trial)
  public void fill() throws IOException {
    data = Files.createTempDirectory("wharf-jmh-");
    storage = Storage.open(data);
    for (int i = 0; i < repositories; i++) {
      RepositoryName r = RepositoryName.parse("bench/app-" + i);
      byte[] content = ("layer " + i).getBytes(StandardCharsets.UTF_8);
      Digest d = Digest.sha256Of(content);
      Upload u = storage.uploads().start(r);
      try (UploadWriter w = storage.uploads().open(r, u.id(), 0)) {
        w.write(ByteBuffer.wrap(content));
      }
      BlobInfo info = storage.uploads().complete(r, u.id(), d);
      if (i == repositories / 2) {
        repo = r;
        blob = info.digest();
      }
    }
    tag = Tag.parse("latest");
  }

  @TearDown(Level.Trial)
  public void remove() throws IOException {
    storage.close();
    try (Stream<Path> files = Files.walk(data)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A tag that is not there: the miss path of a first pull. */
  @Benchmark
  public Optional<TagRecord> tagLookup() {
    return storage.tags().find(repo, tag);
  }

  /** Whether a repository links a blob, and its size: every blob GET. */
  @Benchmark
  public Optional<BlobInfo> blobInRepository() {
    return storage.blobs().findIn(repo, blob);
  }
}
