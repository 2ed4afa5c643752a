package dev.sluice.adminweb.console;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Admin API calls of one page, made at the same time on virtual threads, so the page takes as long
 * as its slowest call rather than the sum of them. A failed call's exception is rethrown as it was
 * (the console's error handler turns it into a page); closing waits for every call.
 */
final class Parallel implements AutoCloseable {
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    /** A value being fetched. */
    interface Pending<T> {
        T get();
    }

    <T> Pending<T> fork(Callable<T> call) {
        Future<T> future = calls.submit(call);
        return () -> join(future);
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the admin API", e);
        }
    }

    @Override
    public void close() {
        calls.close();
    }
}
