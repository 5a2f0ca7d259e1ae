package io.wharf.storage.bundle;

import io.wharf.storage.Progress;
import java.util.ArrayList;
import java.util.List;

/** A progress sink that keeps what it was told. */
final class RecordingProgress implements Progress {
  final List<String> notes = new ArrayList<>();
  long total = -2;
  long advanced;

  @Override
  public void begin(String item, long totalBytes) {
    total = totalBytes;
  }

  @Override
  public void advance(long bytes) {
    advanced += bytes;
  }

  @Override
  public void note(String message) {
    notes.add(message);
  }
}
