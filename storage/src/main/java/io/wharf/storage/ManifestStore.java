package io.wharf.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.Manifest;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.ManifestRecord;
import io.wharf.storage.index.ReferrerRecord;
import io.wharf.storage.index.Records;
import io.wharf.storage.index.TagRecord;
import io.wharf.storage.layout.Layout;
import io.wharf.storage.layout.StorageFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests of repositories: their bytes (stored as blobs), revision links, tags and referrers.
 *
 * <p>Thread-safe. Commits of one repository are serialised by a striped lock so a tag's link and
 * index entry change together; reads take no lock. Manifest bytes are small and hot (every pull
 * starts with one), so they are cached by digest.
 */
public final class ManifestStore {
  private static final Logger log = LoggerFactory.getLogger(ManifestStore.class);

  private final Layout layout;
  private final Index index;
  private final Journal journal;
  private final BlobStore blobs;
  private final Clock clock;
  private final RepositoryLocks locks;
  private final ReferenceGuard guard;
  private final Cache<Digest, byte[]> bodies =
      Caffeine.newBuilder().maximumWeight(8L * 1024 * 1024).weigher((Digest d, byte[] b) -> b.length).build();

  ManifestStore(
      Layout layout, Index index, Journal journal, BlobStore blobs, Clock clock, RepositoryLocks locks, ReferenceGuard guard) {
    this.layout = layout;
    this.index = index;
    this.journal = journal;
    this.blobs = blobs;
    this.clock = clock;
    this.locks = locks;
    this.guard = guard;
  }

  /** A manifest linked into this repository, with its bytes. */
  public Optional<ManifestEntry> find(RepositoryName repo, Digest digest) {
    Optional<ManifestRecord> record = index.get(Column.MANIFESTS, Keys.inRepo(repo, digest), ManifestRecord.class);
    if (record.isEmpty()) {
      return Optional.empty();
    }
    byte[] body = bodies.getIfPresent(digest);
    if (body == null) {
      body = read(digest);
      if (body == null) {
        return Optional.empty();
      }
      bodies.put(digest, body);
    }
    return Optional.of(new ManifestEntry(digest, record.get(), body));
  }

  /** Whether this repository has the manifest. */
  public boolean contains(RepositoryName repo, Digest digest) {
    return index.contains(Column.MANIFESTS, Keys.inRepo(repo, digest));
  }

  /**
   * Stores a manifest already parsed and validated by the caller, and tags it when a tag is given.
   * The bytes are committed as a blob first (temp, fsync, rename), then links and index together.
   */
  public void put(RepositoryName repo, Manifest manifest, byte[] body, @Nullable Tag tag) {
    Digest digest = manifest.digest();
    ManifestRecord record = record(manifest, clock.millis());
    List<String> named = new ArrayList<>(record.references());
    named.add(digest.toString());
    // a sweep must not delete the manifest's bytes or what it references while this commit lands
    Lock referencing = guard.referencing(named);
    ReentrantLock lock = locks.of(repo);
    lock.lock();
    try {
      Commit commit = new Commit(layout);
      if (blobs.find(digest).isEmpty()) {
        commit.move(writeTemp(body), layout.blobData(digest));
        blobs.addBlob(commit, digest, body.length);
      }
      commit.link(layout.revisionLink(repo, digest), digest);
      commit.put(Column.MANIFESTS, Keys.inRepo(repo, digest), record);
      if (tag != null) {
        tag(commit, repo, tag, digest, record.createdAt());
      }
      Descriptor subject = manifest.subject();
      if (subject != null) {
        commit.put(
            Column.REFERRERS,
            Keys.of(repo.value(), subject.digest().toString(), digest.toString()),
            new ReferrerRecord(manifest.mediaType(), manifest.size(), manifest.effectiveArtifactType(), manifest.annotations()));
      }
      blobs.addRepository(commit, repo);
      journal.run(commit, CrashPoint.MANIFEST);
      bodies.put(digest, body);
    } finally {
      lock.unlock();
      referencing.unlock();
    }
  }

  /**
   * Deletes a manifest from a repository, with every tag that points at it (as registry:2 does).
   *
   * @throws OciException MANIFEST_UNKNOWN
   */
  public void delete(RepositoryName repo, Digest digest) {
    ReentrantLock lock = locks.of(repo);
    lock.lock();
    try {
      ManifestRecord record =
          index.get(Column.MANIFESTS, Keys.inRepo(repo, digest), ManifestRecord.class)
              .orElseThrow(() -> new OciException(OciError.MANIFEST_UNKNOWN, "manifest unknown: " + digest));
      Commit commit = new Commit(layout).deleteTree(layout.revisionLinkDir(repo, digest));
      commit.delete(Column.MANIFESTS, Keys.inRepo(repo, digest));
      for (String tag : tagsOf(repo, digest)) {
        commit.deleteTree(layout.tagDir(repo, new Tag(tag))).delete(Column.TAGS, Keys.inRepo(repo, tag));
      }
      if (record.subject() != null) {
        commit.delete(Column.REFERRERS, Keys.of(repo.value(), record.subject(), digest.toString()));
      }
      journal.run(commit, CrashPoint.MANIFEST);
    } finally {
      lock.unlock();
    }
  }

  /** Manifests whose subject is {@code subject}, as the referrers API lists them. */
  public List<Descriptor> referrers(RepositoryName repo, Digest subject) {
    List<Descriptor> out = new ArrayList<>();
    index.scan(
        Column.REFERRERS,
        Keys.of(repo.value(), subject.toString(), ""),
        null,
        (key, value) -> {
          ReferrerRecord r = Records.decode(value, ReferrerRecord.class);
          out.add(new Descriptor(r.mediaType(), Digest.parse(Keys.last(key)), r.size(), r.artifactType(), null, r.annotations()));
          return true;
        });
    return out;
  }

  /** Adds a tag's links and index entry to a commit. */
  void tag(Commit commit, RepositoryName repo, Tag tag, Digest digest, long now) {
    commit.link(layout.tagCurrentLink(repo, tag), digest).link(layout.tagIndexLink(repo, tag, digest), digest);
    commit.put(Column.TAGS, Keys.inRepo(repo, tag.value()), new TagRecord(digest.toString(), now, now));
  }

  private List<String> tagsOf(RepositoryName repo, Digest digest) {
    List<String> tags = new ArrayList<>();
    String target = digest.toString();
    index.scan(
        Column.TAGS,
        Keys.repoPrefix(repo),
        null,
        (key, value) -> {
          if (Records.decode(value, TagRecord.class).digest().equals(target)) {
            tags.add(Keys.last(key));
          }
          return true;
        });
    return tags;
  }

  private Path writeTemp(byte[] body) {
    Path tmp = layout.tmpDir().resolve("m-" + UUID.randomUUID());
    try {
      io.wharf.storage.layout.AtomicFiles.createDirectories(layout.tmpDir());
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(body);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        CrashPoint.AFTER_TEMP_WRITE.reached(CrashPoint.MANIFEST);
        ch.force(true);
      }
      CrashPoint.AFTER_FSYNC.reached(CrashPoint.MANIFEST);
      return tmp;
    } catch (IOException e) {
      io.wharf.storage.layout.AtomicFiles.deleteQuietly(tmp);
      throw StorageFailure.of("cannot write manifest", e);
    }
  }

  private byte @Nullable [] read(Digest digest) {
    try {
      return Files.readAllBytes(layout.blobData(digest));
    } catch (NoSuchFileException e) {
      log.atError().addKeyValue("digest", digest).log("indexed manifest has no file; run wharf fsck");
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifest " + digest, e);
    }
  }

  private static ManifestRecord record(Manifest m, long now) {
    List<String> refs = new ArrayList<>();
    m.blobs().forEach(d -> refs.add(d.digest().toString()));
    m.manifests().forEach(d -> refs.add(d.digest().toString()));
    return new ManifestRecord(
        m.mediaType(), m.size(), refs, m.subject() == null ? null : m.subject().digest().toString(), m.effectiveArtifactType(), now);
  }
}
