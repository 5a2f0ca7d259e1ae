/** What seed pushes: the images of each profile and the seed.json that describes them. */
@NullMarked
package io.wharf.bench.seed;

import org.jspecify.annotations.NullMarked;
