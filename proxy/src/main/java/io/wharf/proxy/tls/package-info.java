/**
 * HTTPS for the cluster listener: the certificate it serves (the operator's PEM files, reloaded
 * when they change on disk, or a self-signed one generated on first start and kept in {@code
 * <storage.path>/tls/}), and the Netty {@code SslContext} built from it on OpenSSL (netty-tcnative)
 * or the JDK. {@link io.wharf.proxy.tls.ServerTls} is what the server uses; the rest are its parts.
 */
@NullMarked
package io.wharf.proxy.tls;

import org.jspecify.annotations.NullMarked;
