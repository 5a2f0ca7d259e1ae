package io.wharf.proxy.server;

import java.util.concurrent.Executor;

/** Hands each new connection the executor its requests run on, one at a time and in order. */
@FunctionalInterface
interface RouteLanes {
  Executor lane();
}
