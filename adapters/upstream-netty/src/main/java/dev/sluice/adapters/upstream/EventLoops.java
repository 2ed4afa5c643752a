package dev.sluice.adapters.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

final class EventLoops {
    private EventLoops() {
    }

    /** The loop of the group the calling thread runs, or any loop of the group when called from elsewhere. */
    static EventLoop current(EventLoopGroup group) {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                return (EventLoop) executor;
            }
        }
        return group.next();
    }
}
