package io.wharf.proxy.registry;

import java.util.List;

/**
 * One page of a sorted listing (tags or repositories), and whether more follow, for the
 * {@code Link: <...>; rel="next"} header.
 */
public record Page(List<String> items, boolean more) {
  public Page {
    items = List.copyOf(items);
  }
}
