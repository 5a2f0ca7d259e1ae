package io.wharf.proxy.cli;

import io.wharf.proxy.admin.ImageRef;
import io.wharf.proxy.config.WharfConfig;

/** How the CLI names an IMAGE argument back to the operator. */
final class ImageNames {
  private ImageNames() {}

  /** The normalised reference, {@code docker.io/library/nginx:latest} for {@code nginx}. */
  static String shown(String image, WharfConfig config) {
    return ImageRef.resolve(image, config).toString();
  }
}
