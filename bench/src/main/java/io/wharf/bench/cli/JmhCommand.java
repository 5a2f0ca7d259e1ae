package io.wharf.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code jmh [JMH options]}: the JMH suite of {@code io.wharf.bench.jmh}, with every argument passed
 * to {@code org.openjdk.jmh.Main} unchanged ({@code jmh -f 1 Digest}, {@code jmh -h}).
 */
@Command(name = "jmh", description = "Run the JMH benchmarks; all arguments go to org.openjdk.jmh.Main (try: jmh -h).")
final class JmhCommand implements Callable<Integer> {

  @Unmatched
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    org.openjdk.jmh.Main.main(args.toArray(String[]::new));
    return 0;
  }
}
