/** Results of a run: the markdown report and the raw JSON. */
@NullMarked
package io.wharf.bench.report;

import org.jspecify.annotations.NullMarked;
