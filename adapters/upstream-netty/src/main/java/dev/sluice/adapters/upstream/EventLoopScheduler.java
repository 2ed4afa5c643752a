package dev.sluice.adapters.upstream;

import dev.sluice.application.port.DelayScheduler;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Schedules on the caller's own event loop (or any loop of the group when called from elsewhere),
 * so a retry after a backoff runs on the same thread as the request it continues.
 */
public final class EventLoopScheduler implements DelayScheduler {
    private final EventLoopGroup group;

    public EventLoopScheduler(EventLoopGroup group) {
        this.group = group;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        EventExecutor loop = EventLoops.current(group);
        ScheduledFuture<?> future = loop.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

}
