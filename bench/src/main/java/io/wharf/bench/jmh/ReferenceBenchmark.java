package io.wharf.bench.jmh;

import io.wharf.oci.Reference;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Parsing names, tags and references: on the path of every request. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReferenceBenchmark {
  public String name = "spectro-images/docker.io/library/nginx-unprivileged";
  public String tag = "1.27.3-alpine3.20";
  public String reference = "ghcr.io/org/team/app:v1.2.3@sha256:" + "ab".repeat(32);
  public String dockerHub = "nginx:1.27";

  @Benchmark
  public RepositoryName repositoryName() {
    return RepositoryName.parse(name);
  }

  @Benchmark
  public Tag tag() {
    return Tag.parse(tag);
  }

  @Benchmark
  public Reference fullReference() {
    return Reference.parse(reference);
  }

  @Benchmark
  public Reference normalizedDockerHub() {
    return Reference.parseNormalized(dockerHub);
  }
}
