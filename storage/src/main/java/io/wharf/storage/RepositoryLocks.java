package io.wharf.storage;

import io.wharf.oci.RepositoryName;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped locks that serialise the commits of one repository, so that a tag's link file and its
 * index entry always change in the same order. Different repositories rarely share a stripe.
 */
final class RepositoryLocks {
  private final ReentrantLock[] stripes = new ReentrantLock[64];

  RepositoryLocks() {
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  ReentrantLock of(RepositoryName repo) {
    return stripes[Math.floorMod(repo.value().hashCode(), stripes.length)];
  }
}
