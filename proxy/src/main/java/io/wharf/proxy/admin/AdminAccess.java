package io.wharf.proxy.admin;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who may call the admin API: until accounts exist (issue 6), only processes on this host, that is
 * callers whose source address is a loopback address. The listener may be bound to every address
 * for containerd on other hosts; the admin API must not be reachable from them.
 */
public final class AdminAccess {
  private AdminAccess() {}

  /**
   * @throws OciException DENIED (403) unless {@code remote} is a loopback IP address
   */
  public static void requireLoopback(SocketAddress remote) {
    if (!isLoopback(remote)) {
      throw new OciException(
          OciError.DENIED, "the admin API answers callers on this host only (loopback), not " + describe(remote));
    }
  }

  /** Whether {@code remote} is a loopback IP address (127.0.0.0/8, ::1, an IPv4-mapped 127.x). */
  public static boolean isLoopback(SocketAddress remote) {
    return remote instanceof InetSocketAddress inet
        && inet.getAddress() != null
        && inet.getAddress().isLoopbackAddress();
  }

  private static String describe(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return String.valueOf(remote);
  }
}
