/**
 * The pull-through cache: the {@code PullThrough*} services that serve a proxied repository from
 * disk and fetch what is missing from its upstream exactly once ({@link
 * io.wharf.proxy.pullthrough.Inflight}), keep tags fresh by TTL and HEAD checks with
 * stale-if-error, and complete images in the background.
 */
@NullMarked
package io.wharf.proxy.pullthrough;

import org.jspecify.annotations.NullMarked;
