/**
 * Talking to upstream registries: which upstream a request means ({@code UpstreamResolver}), and
 * the HTTP client that fetches manifests and blobs from them (token auth, redirects, retries,
 * proxies), with a circuit breaker per upstream.
 */
@NullMarked
package io.wharf.proxy.upstream;

import org.jspecify.annotations.NullMarked;
