package io.wharf.proxy.upstream;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * The JDK's resolver run on its own threads: Netty's default resolves on the event loop, where a
 * black-holed DNS server would stall every connection the loop serves.
 */
final class BlockingNameResolver extends InetNameResolver {
  BlockingNameResolver(EventExecutor executor) {
    super(executor);
  }

  @Override
  protected void doResolve(String inetHost, Promise<InetAddress> promise) {
    executor().execute(() -> {
      try {
        promise.trySuccess(InetAddress.getByName(inetHost));
      } catch (UnknownHostException | RuntimeException e) {
        promise.tryFailure(e);
      }
    });
  }

  @Override
  protected void doResolveAll(String inetHost, Promise<List<InetAddress>> promise) {
    executor().execute(() -> {
      try {
        promise.trySuccess(Arrays.asList(InetAddress.getAllByName(inetHost)));
      } catch (UnknownHostException | RuntimeException e) {
        promise.tryFailure(e);
      }
    });
  }

  /** One resolver per event loop, all running lookups on {@code executors}. */
  static final class Group extends AddressResolverGroup<InetSocketAddress> {
    private final EventExecutorGroup executors;

    Group(EventExecutorGroup executors) {
      this.executors = executors;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
      return new BlockingNameResolver(executors.next()).asAddressResolver();
    }
  }
}
