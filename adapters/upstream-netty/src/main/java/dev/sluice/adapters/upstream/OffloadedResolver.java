package dev.sluice.adapters.upstream;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Resolves backend host names on a small thread pool of its own: the JDK's lookup blocks, and
 * an event loop must never wait for DNS. The result is handed back through the loop's promise.
 */
final class OffloadedResolver extends AddressResolverGroup<InetSocketAddress> {
    private final Executor lookups;

    OffloadedResolver(Executor lookups) {
        this.lookups = lookups;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
        return new AbstractAddressResolver<>(loop, InetSocketAddress.class) {
            @Override
            protected boolean doIsResolved(InetSocketAddress address) {
                return !address.isUnresolved();
            }

            @Override
            protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
                lookups.execute(() -> {
                    try {
                        InetAddress address = InetAddress.getByName(unresolved.getHostString());
                        promise.trySuccess(new InetSocketAddress(address, unresolved.getPort()));
                    } catch (UnknownHostException | RuntimeException e) {
                        promise.tryFailure(e);
                    }
                });
            }

            @Override
            protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
                lookups.execute(() -> {
                    try {
                        promise.trySuccess(Arrays.stream(InetAddress.getAllByName(unresolved.getHostString()))
                                .map(a -> new InetSocketAddress(a, unresolved.getPort())).toList());
                    } catch (UnknownHostException | RuntimeException e) {
                        promise.tryFailure(e);
                    }
                });
            }
        };
    }
}
