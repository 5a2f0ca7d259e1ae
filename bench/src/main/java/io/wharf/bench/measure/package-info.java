/** What is measured beside the requests: process CPU and peak RSS from /proc, the upstream access log, latencies, medians. */
@NullMarked
package io.wharf.bench.measure;

import org.jspecify.annotations.NullMarked;
