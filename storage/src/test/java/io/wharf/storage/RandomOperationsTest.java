package io.wharf.storage;

import static io.wharf.storage.OciAssertions.assertError;
import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.sha256;
import static io.wharf.storage.TestContent.sha512;
import static io.wharf.storage.TestContent.tag;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.storage.TestContent.Pushed;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Keys;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random sequences of uploads, mounts, unlinks, manifest pushes, tag and manifest deletes (with
 * restarts and abandoned uploads between them) against one storage, checked against a model of what
 * a registry must hold, then closed, reopened and walked by {@link StorageConsistency}.
 */
final class RandomOperationsTest {
  // siblings that share a prefix, so key scans that leak would show
  private static final List<RepositoryName> REPOS = List.of(repo("a"), repo("a-b"), repo("a/b"), repo("lib/x"));
  private static final List<String> TAGS = List.of("latest", "v1", "v1.1", "v10", "stable");
  private static final int OPERATIONS = 40;

  @TempDir(factory = MemoryTempDirs.class) Path data;

  @RepeatedTest(10)
  void randomOperationsLeaveIndexAndFilesInAgreementAcrossARestart(RepetitionInfo repetition) {
    long seed = Seeds.of(repetition);
    try {
      new Run(new Random(seed), data).go();
    } catch (Throwable t) {
      throw new AssertionError(Seeds.describe(seed, repetition) + ": " + t.getMessage(), t);
    }
  }

  /** One sequence and the model it is checked against. */
  private static final class Run {
    private final Random random;
    private final Path data;
    private Storage storage;
    private final List<String> log = new ArrayList<>();

    private final Map<Digest, byte[]> blobs = new LinkedHashMap<>();
    private final Set<String> layers = new TreeSet<>();
    private final Map<String, Pushed> manifests = new LinkedHashMap<>();
    private final Map<String, Digest> tags = new HashMap<>();
    private final Set<String> repositories = new TreeSet<>();
    private final List<Upload> abandoned = new ArrayList<>();

    Run(Random random, Path data) {
      this.random = random;
      this.data = data;
      this.storage = Storage.open(data);
    }

    void go() {
      try {
        for (int i = 0; i < OPERATIONS; i++) {
          step();
        }
      } catch (Throwable t) {
        throw new AssertionError("after " + log, t);
      } finally {
        storage.close();
      }
      assertThat(StorageConsistency.differences(data)).as("after %s", log).isEmpty();
      storage = Storage.open(data);
      try {
        assertMatchesModel();
      } finally {
        storage.close();
      }
    }

    private void step() {
      RepositoryName repo = pick(REPOS);
      int dice = random.nextInt(100);
      if (dice < 22) {
        uploadNew(repo);
      } else if (dice < 30) {
        uploadExisting(repo);
      } else if (dice < 34) {
        uploadWithWrongDigest(repo);
      } else if (dice < 44) {
        mount(repo);
      } else if (dice < 52) {
        unlink(repo);
      } else if (dice < 70) {
        pushManifest(repo);
      } else if (dice < 74) {
        pushIndex(repo);
      } else if (dice < 81) {
        deleteTag(repo);
      } else if (dice < 88) {
        deleteManifest(repo);
      } else if (dice < 93) {
        abandonUpload(repo);
      } else if (dice < 96) {
        cancelUpload();
      } else {
        restart();
      }
    }

    private void uploadNew(RepositoryName repo) {
      byte[] content = bytes(random, random.nextInt(4) == 0 ? 0 : random.nextInt(3000));
      Digest digest = random.nextInt(5) == 0 ? sha512(content) : sha256(content);
      boolean chunked = random.nextBoolean();
      log.add("upload " + repo + " " + content.length + (chunked ? " chunked" : ""));
      Upload u = storage.uploads().start(repo);
      int at = 0;
      while (at < content.length) {
        int n = chunked ? Math.min(content.length - at, 1 + random.nextInt(1500)) : content.length;
        try (UploadWriter w = storage.uploads().open(repo, u.id(), random.nextBoolean() ? at : -1)) {
          w.write(ByteBuffer.wrap(content, at, n));
        }
        at += n;
      }
      BlobInfo blob = storage.uploads().complete(repo, u.id(), digest);
      assertThat(blob.size()).isEqualTo(content.length);
      committed(digest, content);
      linked(repo, digest);
    }

    private void uploadExisting(RepositoryName repo) {
      if (blobs.isEmpty()) {
        uploadNew(repo);
        return;
      }
      Digest digest = pick(new ArrayList<>(blobs.keySet()));
      log.add("upload again " + repo + " " + digest.hex().substring(0, 8));
      assertThat(TestContent.upload(storage, repo, blobs.get(digest), digest).digest()).isEqualTo(digest);
      linked(repo, digest);
    }

    private void uploadWithWrongDigest(RepositoryName repo) {
      byte[] content = bytes(random, 1 + random.nextInt(500));
      log.add("upload wrong digest " + repo);
      Upload u = storage.uploads().start(repo);
      try (UploadWriter w = storage.uploads().open(repo, u.id(), 0)) {
        w.write(ByteBuffer.wrap(content));
      }
      assertError(() -> storage.uploads().complete(repo, u.id(), sha256(new byte[] {(byte) content.length})), OciError.DIGEST_INVALID);
    }

    private void mount(RepositoryName repo) {
      if (blobs.isEmpty()) {
        assertThat(storage.blobs().link(repo, sha256(new byte[] {9}))).isEmpty();
        return;
      }
      Digest digest = pick(new ArrayList<>(blobs.keySet()));
      log.add("mount " + repo + " " + digest.hex().substring(0, 8));
      assertThat(storage.blobs().link(repo, digest)).isPresent();
      linked(repo, digest);
    }

    private void unlink(RepositoryName repo) {
      List<Digest> mine = layers.stream().filter(k -> k.startsWith(Keys.repoPrefix(repo))).map(k -> Digest.parse(Keys.last(k))).toList();
      if (mine.isEmpty()) {
        assertError(() -> storage.blobs().unlink(repo, sha256(new byte[] {7})), OciError.BLOB_UNKNOWN);
        return;
      }
      Digest digest = pick(mine);
      log.add("unlink " + repo + " " + digest.hex().substring(0, 8));
      storage.blobs().unlink(repo, digest);
      layers.remove(Keys.inRepo(repo, digest));
    }

    private void pushManifest(RepositoryName repo) {
      List<Digest> mine = layers.stream().filter(k -> k.startsWith(Keys.repoPrefix(repo))).map(k -> Digest.parse(Keys.last(k))).toList();
      if (mine.isEmpty()) {
        uploadNew(repo);
        return;
      }
      List<BlobInfo> refs = new ArrayList<>();
      for (int i = 1 + random.nextInt(3); i > 0; i--) {
        Digest d = pick(mine);
        refs.add(new BlobInfo(d, blobs.get(d).length, storage.layout().blobData(d)));
      }
      List<Pushed> candidates = manifestsOf(repo);
      Pushed subject = !candidates.isEmpty() && random.nextInt(4) == 0 ? pick(candidates) : null;
      Pushed m = image(refs, subject, random.nextBoolean() ? null : "application/vnd.example." + random.nextInt(3));
      push(repo, m);
    }

    private void pushIndex(RepositoryName repo) {
      List<Pushed> children = manifestsOf(repo);
      if (children.isEmpty()) {
        pushManifest(repo);
        return;
      }
      push(repo, TestContent.index(children.subList(0, 1 + random.nextInt(children.size()))));
    }

    private void push(RepositoryName repo, Pushed m) {
      String tag = random.nextInt(10) < 7 ? pick(TAGS) : null;
      log.add("push " + repo + " " + m.digest().hex().substring(0, 8) + (tag == null ? "" : " as " + tag));
      m.put(storage, repo, tag == null ? null : tag(tag));
      committed(m.digest(), m.body());
      manifests.put(Keys.inRepo(repo, m.digest()), m);
      repositories.add(repo.value());
      if (tag != null) {
        tags.put(Keys.inRepo(repo, tag), m.digest());
      }
    }

    private void deleteTag(RepositoryName repo) {
      List<String> mine = tags.keySet().stream().filter(k -> k.startsWith(Keys.repoPrefix(repo))).sorted().toList();
      if (mine.isEmpty() || random.nextInt(6) == 0) {
        String unknown = "nope" + random.nextInt(3);
        assertError(() -> storage.tags().delete(repo, tag(unknown)), OciError.MANIFEST_UNKNOWN);
        return;
      }
      String key = pick(mine);
      log.add("delete tag " + repo + " " + Keys.last(key));
      storage.tags().delete(repo, tag(Keys.last(key)));
      tags.remove(key);
    }

    private void deleteManifest(RepositoryName repo) {
      List<Pushed> mine = manifestsOf(repo);
      if (mine.isEmpty()) {
        assertError(() -> storage.manifests().delete(repo, sha256(new byte[] {3})), OciError.MANIFEST_UNKNOWN);
        return;
      }
      Pushed m = pick(mine);
      log.add("delete manifest " + repo + " " + m.digest().hex().substring(0, 8));
      storage.manifests().delete(repo, m.digest());
      manifests.remove(Keys.inRepo(repo, m.digest()));
      tags.entrySet().removeIf(e -> e.getKey().startsWith(Keys.repoPrefix(repo)) && e.getValue().equals(m.digest()));
    }

    private void abandonUpload(RepositoryName repo) {
      log.add("abandon upload " + repo);
      Upload u = storage.uploads().start(repo);
      try (UploadWriter w = storage.uploads().open(repo, u.id(), 0)) {
        w.write(ByteBuffer.wrap(bytes(random, random.nextInt(200))));
      }
      abandoned.add(u);
    }

    private void cancelUpload() {
      if (abandoned.isEmpty()) {
        return;
      }
      Upload u = abandoned.remove(random.nextInt(abandoned.size()));
      log.add("cancel upload " + u.repo());
      storage.uploads().cancel(u.repo(), u.id());
    }

    private void restart() {
      log.add("restart");
      storage.close();
      storage = Storage.open(data);
      for (Upload u : abandoned) {
        assertError(() -> storage.uploads().status(u.repo(), u.id()), OciError.BLOB_UPLOAD_UNKNOWN);
      }
      abandoned.clear();
    }

    private void committed(Digest digest, byte[] content) {
      blobs.putIfAbsent(digest, content);
    }

    private void linked(RepositoryName repo, Digest digest) {
      layers.add(Keys.inRepo(repo, digest));
      repositories.add(repo.value());
    }

    private List<Pushed> manifestsOf(RepositoryName repo) {
      return manifests.entrySet().stream().filter(e -> e.getKey().startsWith(Keys.repoPrefix(repo))).map(Map.Entry::getValue).toList();
    }

    private <T> T pick(List<T> list) {
      return list.get(random.nextInt(list.size()));
    }

    private void assertMatchesModel() {
      Set<String> blobKeys = new HashSet<>();
      blobs.keySet().forEach(d -> blobKeys.add(d.toString()));
      assertThat(storage.index().keys(Column.BLOBS, "")).containsExactlyInAnyOrderElementsOf(blobKeys);
      for (Map.Entry<Digest, byte[]> b : blobs.entrySet()) {
        assertThat(storage.blobs().find(b.getKey())).hasValueSatisfying(i -> assertThat(i.size()).isEqualTo(b.getValue().length));
      }
      assertThat(storage.index().keys(Column.LAYERS, "")).containsExactlyElementsOf(layers);
      assertThat(storage.index().keys(Column.MANIFESTS, "")).containsExactlyInAnyOrderElementsOf(manifests.keySet());
      assertThat(storage.repositories().list(null, 100)).containsExactlyElementsOf(repositories);
      for (RepositoryName repo : REPOS) {
        List<String> expectedTags = tags.keySet().stream().filter(k -> k.startsWith(Keys.repoPrefix(repo))).map(Keys::last).sorted().toList();
        assertThat(storage.tags().list(repo, null, 100)).as("tags of %s", repo).containsExactlyElementsOf(expectedTags);
        for (String t : expectedTags) {
          assertThat(storage.tags().find(repo, tag(t))).hasValueSatisfying(
              r -> assertThat(r.digest()).isEqualTo(tags.get(Keys.inRepo(repo, t)).toString()));
        }
        for (Pushed m : manifestsOf(repo)) {
          assertThat(storage.manifests().find(repo, m.digest())).hasValueSatisfying(e -> assertThat(e.body()).isEqualTo(m.body()));
          List<Digest> expectedReferrers = manifestsOf(repo).stream()
              .filter(r -> r.manifest().subject() != null && r.manifest().subject().digest().equals(m.digest()))
              .map(Pushed::digest)
              .toList();
          assertThat(storage.manifests().referrers(repo, m.digest())).extracting(Descriptor::digest)
              .containsExactlyInAnyOrderElementsOf(expectedReferrers);
        }
      }
    }
  }
}
