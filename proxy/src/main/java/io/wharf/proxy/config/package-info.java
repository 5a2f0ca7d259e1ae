/**
 * Configuration of the daemon: the records bound from YAML ({@link
 * io.wharf.proxy.config.WharfConfig} and its sections), the loader that layers the embedded {@code
 * wharf-default.yaml}, the operator's file and {@code WHARF_*} environment variables, and the value
 * types written the way people write them (sizes, durations, listen addresses).
 */
@NullMarked
package io.wharf.proxy.config;

import org.jspecify.annotations.NullMarked;
