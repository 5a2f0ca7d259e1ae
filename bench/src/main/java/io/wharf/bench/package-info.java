/**
 * The side-by-side load generator of issue 4 ({@code bench/target/wharf-bench.jar}): {@code seed}
 * pushes synthetic images into a registry, {@code run} measures several targets interleaved and
 * writes a markdown report; {@code jmh} runs the JMH suite in {@link io.wharf.bench.jmh}.
 */
@NullMarked
package io.wharf.bench;

import org.jspecify.annotations.NullMarked;
