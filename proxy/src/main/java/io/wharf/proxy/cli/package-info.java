/**
 * The command line: {@link io.wharf.proxy.cli.WharfCommand}, the picocli root command that is the
 * runnable jar's main class, and its subcommands ({@code serve}, {@code containerd-config}).
 */
@NullMarked
package io.wharf.proxy.cli;

import org.jspecify.annotations.NullMarked;
