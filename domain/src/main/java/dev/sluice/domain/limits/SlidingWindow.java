package dev.sluice.domain.limits;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * An exact sliding window: the amounts admitted during any {@code window} never add up to more
 * than {@code limit} — no burst of twice the limit at a window edge, as fixed windows allow.
 * Every admission is an entry (time, amount) whose amount can be settled later (a token estimate
 * corrected to the real usage). Not thread-safe: its owner serialises access. Time in millis.
 */
public final class SlidingWindow {
    private final long windowMillis;
    private final long limit;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long sum;

    /** One admission; its amount may be corrected while it is inside the window. */
    public static final class Entry {
        private final long at;
        private long amount;
        private boolean expired;

        private Entry(long at, long amount) {
            this.at = at;
            this.amount = amount;
        }

        public long at() {
            return at;
        }

        public long amount() {
            return amount;
        }
    }

    public SlidingWindow(long windowMillis, long limit) {
        if (windowMillis < 1 || limit < 1) {
            throw new IllegalArgumentException("window and limit must be positive");
        }
        this.windowMillis = windowMillis;
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }

    public long windowMillis() {
        return windowMillis;
    }

    /** What was admitted within the window ending now. */
    public long used(long now) {
        expire(now);
        return sum;
    }

    /** Whether {@code amount} more fits now. */
    public boolean fits(long now, long amount) {
        expire(now);
        return sum + amount <= limit;
    }

    /** Whether {@code amount} can ever fit (it is not larger than the limit itself). */
    public boolean canEverFit(long amount) {
        return amount <= limit;
    }

    /** Records an admission of {@code amount} at {@code now}. The caller checked {@link #fits}. */
    public Entry add(long now, long amount) {
        expire(now);
        Entry entry = new Entry(now, amount);
        entries.addLast(entry);
        sum += amount;
        return entry;
    }

    /** Corrects an admission's amount (refund or charge the difference) if it is still inside the window. */
    public void settle(Entry entry, long actualAmount, long now) {
        expire(now);
        long actual = Math.max(0, actualAmount);
        if (!entry.expired) {
            sum += actual - entry.amount;
        }
        entry.amount = actual;
    }

    /**
     * The earliest time at which {@code amount} fits: {@code now} if it fits already, otherwise when
     * enough of the oldest admissions have left the window; {@link Long#MAX_VALUE} if it never can.
     */
    public long availableAt(long now, long amount) {
        expire(now);
        if (sum + amount <= limit) {
            return now;
        }
        if (amount > limit) {
            return Long.MAX_VALUE;
        }
        long excess = sum + amount - limit;
        long freed = 0;
        for (Entry e : entries) {
            freed += e.amount;
            if (freed >= excess) {
                return e.at + windowMillis;
            }
        }
        return Long.MAX_VALUE;
    }

    private void expire(long now) {
        long cutoff = now - windowMillis;
        Iterator<Entry> it = entries.iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.at > cutoff) {
                return;
            }
            sum -= e.amount;
            e.expired = true;
            it.remove();
        }
    }
}
