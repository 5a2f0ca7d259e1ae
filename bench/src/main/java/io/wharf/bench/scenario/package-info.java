/** The scenarios and the loads they drive, interleaving every target within each round. */
@NullMarked
package io.wharf.bench.scenario;

import org.jspecify.annotations.NullMarked;
