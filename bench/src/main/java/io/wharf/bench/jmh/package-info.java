/**
 * JMH benchmarks of the hot paths every pull goes through: digest hashing, name and reference
 * parsing, and index lookups. Run them from the packaged module with forks (see README); the unit
 * test only proves each one runs.
 */
@NullMarked
package io.wharf.bench.jmh;

import org.jspecify.annotations.NullMarked;
