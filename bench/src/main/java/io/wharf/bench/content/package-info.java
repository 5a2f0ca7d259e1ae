/** Synthetic, incompressible blob content generated from a seed, never stored. */
@NullMarked
package io.wharf.bench.content;

import org.jspecify.annotations.NullMarked;
