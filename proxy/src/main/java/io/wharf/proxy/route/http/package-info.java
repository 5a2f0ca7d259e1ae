/**
 * HTTP details of the distribution API that do not belong to one resource: the {@code Range},
 * {@code Accept} and {@code Link} headers (parsed from untrusted text; only
 * {@link io.wharf.oci.OciException} escapes), the {@link io.wharf.proxy.route.http.Exchange} a
 * route answers through, and {@link io.wharf.proxy.route.http.Responses}, which builds responses
 * and the zero-copy file bodies.
 */
@NullMarked
package io.wharf.proxy.route.http;

import org.jspecify.annotations.NullMarked;
