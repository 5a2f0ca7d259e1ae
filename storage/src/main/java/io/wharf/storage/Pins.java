package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.PinRecord;
import io.wharf.storage.index.Records;
import io.wharf.storage.layout.AtomicFiles;
import io.wharf.storage.layout.Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pins: images that eviction never removes. Each pin is a small file under {@code _wharf/pins/}
 * (the truth, so an index rebuilt from the files keeps every pin: an air-gapped site must never
 * lose what it imported) and an entry in the index (for lookups while serving).
 *
 * <p>Thread-safe. Writes are rare (import, push, CLI) and serialised; the file is written first,
 * durably, so a crash between the two leaves a pin that the next rebuild or {@link #reindex()} finds.
 */
public final class Pins {
  private static final Logger log = LoggerFactory.getLogger(Pins.class);

  private final Layout layout;
  private final Index index;
  private final Clock clock;

  Pins(Layout layout, Index index, Clock clock) {
    this.layout = layout;
    this.index = index;
    this.clock = clock;
  }

  /** Pins a reference that currently names {@code digest}; pinning it again updates the digest. */
  public synchronized Pin pin(RepositoryName repo, ManifestReference reference, Digest digest, String source) {
    PinRecord record = new PinRecord(digest.toString(), clock.millis(), source);
    Path file = layout.pinFile(repo, reference);
    AtomicFiles.write(file, Records.encode(record), layout.tmpDir());
    index.write(new IndexBatch().put(Column.PINS, key(repo, reference), record));
    return toPin(repo, reference, record);
  }

  /** @return whether the reference was pinned */
  public synchronized boolean unpin(RepositoryName repo, ManifestReference reference) {
    boolean had = index.contains(Column.PINS, key(repo, reference));
    Path file = layout.pinFile(repo, reference);
    boolean hadFile = Files.exists(file);
    AtomicFiles.deleteQuietly(file);
    index.write(new IndexBatch().delete(Column.PINS, key(repo, reference)));
    return had || hadFile;
  }

  public Optional<Pin> find(RepositoryName repo, ManifestReference reference) {
    return index.get(Column.PINS, key(repo, reference), PinRecord.class).map(r -> toPin(repo, reference, r));
  }

  /** Every pin in the index, ordered by repository then reference. */
  public List<Pin> list() {
    List<Pin> out = new ArrayList<>();
    index.scan(Column.PINS, "", null, (key, value) -> {
      int sep = key.indexOf(Keys.SEP);
      RepositoryName repo = RepositoryName.parse(key.substring(0, sep));
      ManifestReference ref = ManifestReference.parse(key.substring(sep + 1));
      out.add(toPin(repo, ref, Records.decode(value, PinRecord.class)));
      return true;
    });
    return out;
  }

  /** Every pin file under the data root, whatever the index says; a malformed one is skipped and logged. */
  public List<Pin> readFiles() {
    Path root = layout.pinsRoot();
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Pin> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        Path rel = root.relativize(file);
        int n = rel.getNameCount();
        if (n < 3 || !rel.getName(n - 2).toString().equals("_pins")) {
          log.atWarn().addKeyValue("file", file).log("ignoring a stray file among the pins");
          continue;
        }
        try {
          RepositoryName repo = RepositoryName.parse(rel.subpath(0, n - 2).toString());
          ManifestReference ref = ManifestReference.parse(rel.getName(n - 1).toString());
          PinRecord record = Records.decode(Files.readAllBytes(file), PinRecord.class);
          Digest.parse(record.digest());
          out.add(toPin(repo, ref, record));
        } catch (OciException | UncheckedIOException | IllegalArgumentException e) {
          log.atWarn().addKeyValue("file", file).addKeyValue("error", e.getMessage()).log("ignoring a malformed pin file");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read pins under " + root, e);
    }
    return out;
  }

  /** Makes the index's pins equal the pin files (after a rebuild, or a crash between file and index). */
  public synchronized int reindex() {
    IndexBatch batch = new IndexBatch();
    for (String key : index.keys(Column.PINS, "")) {
      batch.delete(Column.PINS, key);
    }
    List<Pin> pins = readFiles();
    for (Pin pin : pins) {
      batch.put(Column.PINS, key(pin.repo(), pin.reference()),
          new PinRecord(pin.digest().toString(), pin.pinnedAt(), pin.source()));
    }
    index.write(batch);
    return pins.size();
  }

  private static String key(RepositoryName repo, ManifestReference reference) {
    return Keys.inRepo(repo, reference.toString());
  }

  private static Pin toPin(RepositoryName repo, ManifestReference reference, PinRecord record) {
    return new Pin(repo, reference, Digest.parse(record.digest()), record.pinnedAt(), record.source());
  }
}
