package io.wharf.storage;

import io.wharf.storage.FsckProblem.Kind;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Fsck} found: every problem (with what repair did about it), counted by kind.
 *
 * @param blobs blob files looked at
 * @param bytesHashed bytes read and hashed (every blob with {@code deep}; otherwise only manifests
 *     and blobs the index did not know)
 */
public record FsckReport(List<FsckProblem> problems, long blobs, long bytesHashed, boolean deep, boolean repaired, Duration took) {
  public FsckReport {
    problems = List.copyOf(problems);
  }

  /** How many problems of each kind, kinds with none left out. */
  public Map<Kind, Integer> counts() {
    Map<Kind, Integer> out = new EnumMap<>(Kind.class);
    problems.forEach(p -> out.merge(p.kind(), 1, Integer::sum));
    return out;
  }

  /** Problems of one kind. */
  public List<FsckProblem> of(Kind kind) {
    return problems.stream().filter(p -> p.kind() == kind).toList();
  }

  /** Whether nothing is damaged (blobs a pull-through cache has not fetched yet are not damage). */
  public boolean clean() {
    return problems.stream().noneMatch(p -> p.kind().damage());
  }

  /** One line for the log and the CLI. */
  public String summary() {
    long damage = problems.stream().filter(p -> p.kind().damage()).count();
    return blobs + " blobs checked" + (deep ? " (deep, " + bytesHashed + " bytes hashed)" : "") + ", " + damage + " problems"
        + (damage > 0 ? " " + counts() : "") + (repaired && damage > 0 ? ", repaired" : "") + " in " + took.toMillis() + " ms";
  }
}
