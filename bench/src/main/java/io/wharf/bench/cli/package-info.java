/** The command line: seed, run and jmh subcommands. */
@NullMarked
package io.wharf.bench.cli;

import org.jspecify.annotations.NullMarked;
