package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.Digester;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.Manifest;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.storage.FsckProblem.Kind;
import io.wharf.storage.LayoutScan.BadLink;
import io.wharf.storage.LayoutScan.FoundBlob;
import io.wharf.storage.LayoutScan.FoundLink;
import io.wharf.storage.LayoutScan.FoundTag;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.ManifestRecord;
import io.wharf.storage.index.ReferrerRecord;
import io.wharf.storage.index.RepositoryRecord;
import io.wharf.storage.index.TagRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The index the files justify: what {@link BlobStore}, {@link UploadStore} and {@link
 * ManifestStore} would have written for the content a {@link LayoutScan} found, record for record
 * (timestamps come from file times; a tag counts as never checked upstream). Links to content that
 * is not there are left out and listed as {@link Finding}s, with the file step that would clear them.
 */
final class FileIndex {
  /** What to do about a finding's file, if fsck repairs. */
  enum Action { QUARANTINE_BLOB, DELETE_FOLDER, DELETE_FILE, NONE }

  /** Something the derivation left out, and why. */
  record Finding(Kind kind, Path path, String detail, Action action) {}

  /** Decides whether a blob file is whole; returns why not, or null when it is. */
  interface BlobCheck {
    @Nullable Finding check(FoundBlob blob);
  }

  /** Derived records per column, keyed as the index keys them, in key order. */
  final Map<Column, TreeMap<String, Object>> columns = new EnumMap<>(Column.class);
  final List<Finding> findings = new ArrayList<>();
  private final Map<String, FoundBlob> blobs = new HashMap<>();
  /** Bigger than any manifest a registry accepts (the parser's default cap is 4 MiB). */
  private static final int MAX_MANIFEST = 64 * 1024 * 1024;

  private final ManifestParser parser = new ManifestParser(MAX_MANIFEST);
  private final Map<Digest, @Nullable Manifest> parsed = new HashMap<>();

  private FileIndex() {
    for (Column c : List.of(Column.BLOBS, Column.REPOSITORIES, Column.LAYERS, Column.MANIFESTS, Column.REFERRERS, Column.TAGS)) {
      columns.put(c, new TreeMap<>());
    }
  }

  /** The columns a rebuild writes and fsck compares (PINS come from their own files, through {@link Pins}). */
  static List<Column> derivedColumns() {
    return List.of(Column.BLOBS, Column.REPOSITORIES, Column.LAYERS, Column.MANIFESTS, Column.REFERRERS, Column.TAGS);
  }

  static FileIndex derive(LayoutScan scan, BlobCheck check) {
    FileIndex index = new FileIndex();
    index.addBlobs(scan, check);
    index.addManifests(scan);
    index.addLayers(scan);
    index.addTags(scan);
    index.addRepositories(scan);
    for (BadLink bad : scan.badLinks) {
      index.findings.add(new Finding(Kind.BAD_LINK, bad.dir(), bad.kind() + " " + bad.problem(), Action.DELETE_FOLDER));
    }
    for (Path stray : scan.strays) {
      index.findings.add(new Finding(Kind.STRAY_FILE, stray, "no place in the layout", Action.NONE));
    }
    return index;
  }

  /** The manifest a derived MANIFESTS entry was parsed from. */
  @Nullable Manifest manifest(Digest digest) {
    return parsed.get(digest);
  }

  boolean hasBlob(Digest digest) {
    return columns.get(Column.BLOBS).containsKey(digest.toString());
  }

  private void addBlobs(LayoutScan scan, BlobCheck check) {
    for (FoundBlob blob : scan.blobs) {
      Finding problem = check.check(blob);
      if (problem != null) {
        findings.add(problem);
        continue;
      }
      blobs.put(blob.digest().toString(), blob);
      columns.get(Column.BLOBS).put(blob.digest().toString(), new BlobRecord(blob.size(), blob.modifiedAt()));
    }
  }

  private void addManifests(LayoutScan scan) {
    for (FoundLink revision : scan.revisions) {
      FoundBlob blob = blobs.get(revision.digest().toString());
      if (blob == null) {
        findings.add(new Finding(Kind.DANGLING_LINK, revision.dir(), "revision of a blob that is not stored", Action.DELETE_FOLDER));
        continue;
      }
      Manifest manifest = parse(blob);
      if (manifest == null) {
        if (!hasBlob(revision.digest())) { // its bytes were not its digest: the blob went with them
          findings.add(new Finding(Kind.DANGLING_LINK, revision.dir(), "revision of a corrupt blob", Action.DELETE_FOLDER));
        } else {
          findings.add(new Finding(Kind.MANIFEST_INVALID, revision.dir(), "its blob is not a manifest wharf can parse", Action.DELETE_FOLDER));
        }
        continue;
      }
      RepositoryName repo = revision.repo();
      columns.get(Column.MANIFESTS).put(Keys.inRepo(repo, revision.digest()), record(manifest, revision.modifiedAt()));
      Descriptor subject = manifest.subject();
      if (subject != null) {
        columns.get(Column.REFERRERS).put(
            Keys.of(repo.value(), subject.digest().toString(), revision.digest().toString()),
            new ReferrerRecord(manifest.mediaType(), manifest.size(), manifest.effectiveArtifactType(), manifest.annotations()));
      }
    }
  }

  private void addLayers(LayoutScan scan) {
    for (FoundLink layer : scan.layers) {
      if (!hasBlob(layer.digest())) {
        findings.add(new Finding(Kind.DANGLING_LINK, layer.dir(), "layer link to a blob that is not stored", Action.DELETE_FOLDER));
        continue;
      }
      columns.get(Column.LAYERS).put(Keys.inRepo(layer.repo(), layer.digest()), new byte[0]);
    }
  }

  private void addTags(LayoutScan scan) {
    for (FoundTag tag : scan.tags) {
      if (!columns.get(Column.MANIFESTS).containsKey(Keys.inRepo(tag.repo(), tag.digest()))) {
        findings.add(new Finding(Kind.DANGLING_LINK, tag.dir(), "tag of " + tag.digest() + ", not a manifest of " + tag.repo(),
            Action.DELETE_FOLDER));
        continue;
      }
      // checkedAt 0: a pull-through tag is checked upstream at its next pull, when upstream is reachable
      columns.get(Column.TAGS).put(Keys.inRepo(tag.repo(), tag.tag().value()),
          new TagRecord(tag.digest().toString(), tag.modifiedAt(), 0));
    }
  }

  private void addRepositories(LayoutScan scan) {
    scan.repositories.forEach((repo, since) -> columns.get(Column.REPOSITORIES).put(repo.value(), new RepositoryRecord(since)));
  }

  /** Parses a manifest blob once, checking that its bytes are its digest; null when they are not a manifest. */
  private @Nullable Manifest parse(FoundBlob blob) {
    if (parsed.containsKey(blob.digest())) {
      return parsed.get(blob.digest());
    }
    Manifest manifest = null;
    if (blob.size() > MAX_MANIFEST) {
      parsed.put(blob.digest(), null); // a layer linked as a revision: not worth reading to find out
      return null;
    }
    try {
      byte[] body = Files.readAllBytes(blob.path());
      Digester digester = Digester.of(blob.digest().algorithm());
      digester.update(body, 0, body.length);
      Digest actual = digester.digest();
      if (!actual.equals(blob.digest())) {
        findings.add(new Finding(Kind.BLOB_CORRUPT, blob.path(), "manifest bytes hash to " + actual, Action.QUARANTINE_BLOB));
        blobs.remove(blob.digest().toString());
        columns.get(Column.BLOBS).remove(blob.digest().toString());
      } else {
        manifest = parser.parse(body, null, blob.digest());
      }
    } catch (NoSuchFileException gone) {
      blobs.remove(blob.digest().toString());
      columns.get(Column.BLOBS).remove(blob.digest().toString());
    } catch (OciException notAManifest) {
      manifest = null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + blob.path(), e);
    }
    parsed.put(blob.digest(), manifest);
    return manifest;
  }

  /** Exactly what {@link ManifestStore} records for a manifest it stores. */
  static ManifestRecord record(Manifest m, long createdAt) {
    List<String> refs = new ArrayList<>();
    m.blobs().forEach(d -> refs.add(d.digest().toString()));
    m.manifests().forEach(d -> refs.add(d.digest().toString()));
    return new ManifestRecord(
        m.mediaType(), m.size(), refs, m.subject() == null ? null : m.subject().digest().toString(), m.effectiveArtifactType(), createdAt);
  }
}
