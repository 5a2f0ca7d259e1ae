package io.wharf.bench.seed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * seed.json: what {@code seed} pushed, which {@code run} reads to know every name, digest and size.
 *
 * @param profile the profile it was seeded with
 * @param registry the registry it was pushed to
 * @param images the images, warm-blob images first
 */
public record SeedFile(String profile, String registry, List<SeedImage> images) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public SeedFile {
    images = List.copyOf(images);
  }

  public static SeedFile read(Path file) throws IOException {
    SeedFile seed = JSON.readValue(file.toFile(), SeedFile.class);
    if (seed.images().stream().noneMatch(i -> i.role().equals(SeedImage.ROLE_APP))) {
      throw new IOException(file + " has no " + SeedImage.ROLE_APP + " image");
    }
    return seed;
  }

  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(file.toFile(), this);
  }

  /** The single-layer images of warm-blob, smallest first. */
  public List<SeedImage> blobImages() {
    return images.stream().filter(i -> i.role().equals(SeedImage.ROLE_BLOB))
        .sorted((a, b) -> Long.compare(a.manifests().get(0).layers().get(0).size(),
            b.manifests().get(0).layers().get(0).size()))
        .toList();
  }

  /** The multi-platform application image. */
  public SeedImage app() {
    return images.stream().filter(i -> i.role().equals(SeedImage.ROLE_APP)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no app image in seed.json"));
  }
}
