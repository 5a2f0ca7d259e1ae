package io.wharf.storage;

import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.index;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.sha512;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.TestContent.Pushed;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.ManifestRecord;
import io.wharf.storage.index.RepositoryRecord;
import io.wharf.storage.index.Records;
import io.wharf.storage.index.TagRecord;
import io.wharf.storage.layout.AtomicFiles;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The index rebuilt from the files equals the one live writes produced, entry for entry. */
final class IndexRebuildTest {
  private static final RepositoryName UBUNTU = repo("docker.io/library/ubuntu");
  private static final RepositoryName SIBLING = repo("docker.io/library/ubuntu-x");
  private static final RepositoryName NESTED = repo("docker.io/library/ubuntu/sub");
  private static final RepositoryName LOCAL = repo("spectro-images/team/app");

  @TempDir(factory = MemoryTempDirs.class) Path data;
  private final Random random = new Random(5);

  @Test
  void aDeletedIndexIsRebuiltEqualToTheLiveOneAtTheNextOpen() throws Exception {
    Map<Column, Map<String, String>> live;
    try (Storage storage = Storage.open(data)) {
      pushVariedContent(storage);
      live = snapshot(storage);
    }
    AtomicFiles.deleteTree(data.resolve("index"));

    try (Storage storage = Storage.open(data)) {
      assertThat(storage.rebuilt()).isPresent();
      RebuildReport report = storage.rebuilt().orElseThrow();
      assertThat(report.skipped()).isEmpty();
      assertThat(report.pins()).isEqualTo(2);
      assertThat(snapshot(storage)).isEqualTo(live);
      assertThat(StorageConsistency.differences(storage)).isEmpty();
      // tags count as never checked: a pull-through tag is checked upstream at its next pull
      storage.index().scan(Column.TAGS, "", null, (k, v) -> {
        assertThat(Records.decode(v, TagRecord.class).checkedAt()).isZero();
        return true;
      });
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"torn MANIFEST", "deleted MANIFEST", "torn table", "garbage CURRENT"})
  void aCorruptIndexIsMovedAsideAndRebuilt(String damage) throws Exception {
    Map<Column, Map<String, String>> live;
    try (Storage storage = Storage.open(data)) {
      pushVariedContent(storage);
      live = snapshot(storage);
    }
    try (Storage reopened = Storage.open(data)) {
      assertThat(reopened.rebuilt()).isEmpty(); // and RocksDB flushed its tables on the way
    }
    Path indexDir = data.resolve("index");
    List<Path> files;
    try (Stream<Path> list = Files.list(indexDir)) {
      files = list.toList();
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      switch (damage) {
        case "torn MANIFEST" -> {
          if (name.startsWith("MANIFEST-")) {
            Files.write(file, bytes(random, 300));
          }
        }
        case "deleted MANIFEST" -> {
          if (name.startsWith("MANIFEST-")) {
            Files.delete(file);
          }
        }
        case "torn table" -> {
          if (name.endsWith(".sst")) {
            Files.write(file, bytes(random, 100));
          }
        }
        default -> {
          if (name.equals("CURRENT")) {
            Files.writeString(file, "garbage");
          }
        }
      }
    }

    try (Storage storage = Storage.open(data)) {
      assertThat(storage.rebuilt()).isPresent();
      assertThat(snapshot(storage)).isEqualTo(live);
    }
    try (Stream<Path> aside = Files.list(data)) {
      assertThat(aside.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("index.corrupt-"));
    }
  }

  @Test
  void aRebuildInterruptedHalfWayRunsAgainAtTheNextOpen() throws Exception {
    Map<Column, Map<String, String>> live;
    try (Storage storage = Storage.open(data)) {
      pushVariedContent(storage);
      live = snapshot(storage);
      // what a crash half-way through a rebuild leaves: its marker, and an index with part of the files
      IndexBatch lost = new IndexBatch();
      storage.index().keys(Column.TAGS, "").forEach(k -> lost.delete(Column.TAGS, k));
      storage.index().keys(Column.MANIFESTS, "").forEach(k -> lost.delete(Column.MANIFESTS, k));
      storage.index().write(lost);
    }
    Files.write(data.resolve("index.rebuilding"), new byte[0]);

    try (Storage storage = Storage.open(data)) {
      assertThat(storage.rebuilt()).isPresent();
      assertThat(snapshot(storage)).isEqualTo(live);
    }
    assertThat(data.resolve("index.rebuilding")).doesNotExist();
    try (Storage storage = Storage.open(data)) {
      assertThat(storage.rebuilt()).isEmpty();
    }
  }

  @Test
  void aLockHeldIsNotCorruption() throws Exception {
    try (Storage storage = Storage.open(data)) {
      upload(storage, UBUNTU, bytes(random, 10));
      assertThatThrownBy(() -> Storage.open(data))
          .isInstanceOf(UncheckedIOException.class)
          .isNotInstanceOf(io.wharf.storage.index.IndexCorruptException.class)
          .hasMessageContaining("lock");
      assertThat(storage.blobs().find(Digest.sha256Of(new byte[0]))).isEmpty();
    }
    try (Stream<Path> aside = Files.list(data)) {
      assertThat(aside.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("index.corrupt-"));
    }
  }

  @Test
  void anEmptyDataFolderOpensWithoutARebuild() {
    try (Storage storage = Storage.open(data)) {
      assertThat(storage.rebuilt()).isEmpty();
    }
  }

  @Test
  void anExplicitRebuildRepairsADriftedIndexAndKeepsTheTimesOfEntriesThatAgree() {
    Map<Column, Map<String, String>> live;
    BlobRecord keptBlob;
    Digest anyBlob;
    try (Storage storage = Storage.open(data)) {
      pushVariedContent(storage);
      live = snapshot(storage);
      anyBlob = Digest.parse(storage.index().keys(Column.BLOBS, "").get(0));
      keptBlob = storage.index().get(Column.BLOBS, anyBlob.toString(), BlobRecord.class).orElseThrow();
      Digest ghost = Digest.parse("sha256:" + "9".repeat(64));
      storage.index().write(new IndexBatch()
          .put(Column.BLOBS, ghost.toString(), new BlobRecord(1, 1))
          .put(Column.LAYERS, Keys.inRepo(UBUNTU, ghost), new byte[0])
          .delete(Column.TAGS, Keys.inRepo(UBUNTU, "latest"))
          .delete(Column.REPOSITORIES, LOCAL.value()));
    }

    RebuildReport report = IndexRebuild.rebuild(data, Progress.NONE);

    assertThat(report.changed()).isEqualTo(4);
    try (Storage storage = Storage.open(data)) {
      assertThat(snapshot(storage)).isEqualTo(live);
      assertThat(storage.index().get(Column.BLOBS, anyBlob.toString(), BlobRecord.class)).contains(keptBlob);
    }
  }

  @Test
  void linksToMissingContentAreSkippedAndReported() throws Exception {
    Digest layer;
    try (Storage storage = Storage.open(data)) {
      BlobInfo config = upload(storage, UBUNTU, bytes(random, 40));
      BlobInfo l = upload(storage, UBUNTU, bytes(random, 400));
      layer = l.digest();
      image(List.of(config, l), null, null).put(storage, UBUNTU, tag("latest"));
    }
    Files.delete(new io.wharf.storage.layout.Layout(data).blobData(layer));
    AtomicFiles.deleteTree(data.resolve("index"));

    try (Storage storage = Storage.open(data)) {
      RebuildReport report = storage.rebuilt().orElseThrow();
      assertThat(report.skipped()).singleElement().asString().contains("DANGLING_LINK").contains(layer.hex());
      assertThat(storage.blobs().findIn(UBUNTU, layer)).isEmpty();
      assertThat(storage.tags().find(UBUNTU, tag("latest"))).isPresent();
    }
  }

  /** Several repositories (siblings and a nested one), shared and sha512 blobs, an index, referrers, deletes, pins. */
  private void pushVariedContent(Storage storage) {
    BlobInfo config = upload(storage, UBUNTU, bytes(random, 50));
    BlobInfo layer1 = upload(storage, UBUNTU, bytes(random, 3000));
    BlobInfo layer2 = upload(storage, UBUNTU, bytes(random, 70_000));
    Pushed amd64 = image(List.of(config, layer1, layer2), null, null);
    amd64.put(storage, UBUNTU, null);
    BlobInfo config2 = upload(storage, UBUNTU, bytes(random, 60));
    Pushed arm64 = image(List.of(config2, layer1), null, null);
    arm64.put(storage, UBUNTU, tag("arm"));
    Pushed list = index(List.of(amd64, arm64));
    list.put(storage, UBUNTU, tag("latest"));
    list.put(storage, UBUNTU, tag("24.04"));
    BlobInfo sig = upload(storage, UBUNTU, bytes(random, 20));
    image(List.of(sig), amd64, "application/vnd.example.signature").put(storage, UBUNTU, null);
    image(List.of(sig), list, null).put(storage, UBUNTU, null);
    // a tag moved, a tag deleted, a manifest deleted (with its tag), a blob unlinked
    Pushed old = image(List.of(config2), null, null);
    old.put(storage, UBUNTU, tag("moved"));
    arm64.put(storage, UBUNTU, tag("moved"));
    list.put(storage, UBUNTU, tag("gone"));
    storage.tags().delete(UBUNTU, tag("gone"));
    Pushed deleted = image(List.of(config), null, "application/vnd.example.deleted");
    deleted.put(storage, UBUNTU, tag("deleted"));
    storage.manifests().delete(UBUNTU, deleted.digest());
    storage.blobs().unlink(UBUNTU, sig.digest());

    // siblings and a nested repository sharing blobs by mount
    storage.blobs().link(SIBLING, layer1.digest());
    amd64.put(storage, SIBLING, tag("latest"));
    storage.blobs().link(SIBLING, config.digest());
    storage.blobs().link(SIBLING, layer2.digest());
    storage.blobs().link(NESTED, layer2.digest());
    byte[] big = bytes(random, 900);
    BlobInfo sha512Blob = upload(storage, NESTED, big, sha512(big));
    image(List.of(sha512Blob, layer2), null, null).put(storage, NESTED, tag("v1"));

    // a pushed local image, pinned; a pinned digest; an upload never completed
    BlobInfo localConfig = upload(storage, LOCAL, bytes(random, 30));
    Pushed local = image(List.of(localConfig), null, null);
    local.put(storage, LOCAL, tag("1.0"));
    storage.pins().pin(LOCAL, ManifestReference.of(tag("1.0")), local.digest(), "push");
    storage.pins().pin(UBUNTU, ManifestReference.of(list.digest()), list.digest(), "import");
    storage.projectRepos().add("spectro-images", UBUNTU);
    storage.uploads().start(SIBLING);
  }

  /**
   * Every column a rebuild writes, with times blanked where the files cannot keep them exactly
   * (a blob's createdAt is its file's mtime, a few milliseconds before the commit's clock).
   */
  private static Map<Column, Map<String, String>> snapshot(Storage storage) {
    Map<Column, Map<String, String>> out = new EnumMap<>(Column.class);
    List<Column> columns = new ArrayList<>(FileIndex.derivedColumns());
    columns.add(Column.PINS);
    columns.add(Column.PROJECT_REPOS);
    for (Column c : columns) {
      Map<String, String> entries = new TreeMap<>();
      storage.index().scan(c, "", null, (k, v) -> {
        entries.put(k.replace(Keys.SEP, ' '), normalise(c, v));
        return true;
      });
      out.put(c, entries);
    }
    return out;
  }

  private static String normalise(Column column, byte[] value) {
    Object record = switch (column) {
      case BLOBS -> new BlobRecord(Records.decode(value, BlobRecord.class).size(), 0);
      case REPOSITORIES -> new RepositoryRecord(0);
      case MANIFESTS -> {
        ManifestRecord m = Records.decode(value, ManifestRecord.class);
        yield new ManifestRecord(m.mediaType(), m.size(), m.references(), m.subject(), m.artifactType(), 0);
      }
      case TAGS -> new TagRecord(Records.decode(value, TagRecord.class).digest(), 0, 0);
      default -> null;
    };
    return record == null ? new String(value, java.nio.charset.StandardCharsets.UTF_8) : new String(Records.encode(record),
        java.nio.charset.StandardCharsets.UTF_8);
  }
}
