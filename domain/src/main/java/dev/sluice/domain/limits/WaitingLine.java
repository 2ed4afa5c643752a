package dev.sluice.domain.limits;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The requests waiting for one model, in arrival order within each priority class. The next one
 * to try is chosen among the classes that have waiters by smooth weighted round robin over the
 * classes' shares (6 : 3 : 1): high goes first most of the time, low still gets every tenth turn.
 * Not thread-safe: its owner serialises access.
 */
public final class WaitingLine<T> {
    /**
     * The weighted turns alone can keep low waiting up to 13 turns when classes come and go (the
     * scores of a class that left are kept); this bound keeps the promise of one turn in ten.
     */
    private static final int LOW_MAX_PASSED_OVER = 9;

    private final Map<PriorityClass, ArrayDeque<T>> lines = new EnumMap<>(PriorityClass.class);
    private final Map<PriorityClass, Long> scores = new EnumMap<>(PriorityClass.class);
    private int size;
    /** Turns in a row that went to another class while low had waiters. */
    private int lowPassedOver;

    public WaitingLine() {
        for (PriorityClass c : PriorityClass.values()) {
            lines.put(c, new ArrayDeque<>());
            scores.put(c, 0L);
        }
    }

    public void add(PriorityClass priority, T waiter) {
        lines.get(priority).addLast(waiter);
        size++;
    }

    public boolean remove(T waiter) {
        for (ArrayDeque<T> line : lines.values()) {
            if (line.remove(waiter)) {
                size--;
                return true;
            }
        }
        return false;
    }

    public boolean contains(T waiter) {
        for (ArrayDeque<T> line : lines.values()) {
            if (line.contains(waiter)) {
                return true;
            }
        }
        return false;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The head of the class whose turn it is, without removing it; null when empty. Advances the turn. */
    public T nextTurn() {
        PriorityClass best = peekClass();
        if (best == null) {
            return null;
        }
        commitTurn(best);
        return lines.get(best).peekFirst();
    }

    /**
     * The head of the class whose turn it is, without spending the turn: a woken waiter that cannot
     * be admitted yet must not cost its class a turn. Call {@link #commitTurn} when it is served.
     */
    public T peekTurn() {
        PriorityClass best = peekClass();
        return best == null ? null : lines.get(best).peekFirst();
    }

    /** Spends a turn on {@code served}: the class whose waiter was just admitted. */
    public void commitTurn(PriorityClass served) {
        long total = 0;
        for (PriorityClass c : PriorityClass.values()) {
            if (!lines.get(c).isEmpty() || c == served) {
                scores.put(c, scores.get(c) + c.share());
                total += c.share();
            }
        }
        scores.put(served, scores.get(served) - total);
        boolean lowWaits = !lines.get(PriorityClass.LOW).isEmpty();
        lowPassedOver = !lowWaits || served == PriorityClass.LOW ? 0 : lowPassedOver + 1;
    }

    private PriorityClass peekClass() {
        PriorityClass best = null;
        long bestScore = Long.MIN_VALUE;
        for (PriorityClass c : PriorityClass.values()) {
            if (lines.get(c).isEmpty()) {
                continue;
            }
            long score = scores.get(c) + c.share();
            if (score > bestScore) {
                bestScore = score;
                best = c;
            }
        }
        if (best == null) {
            return null;
        }
        boolean lowWaits = !lines.get(PriorityClass.LOW).isEmpty();
        if (lowWaits && best != PriorityClass.LOW && lowPassedOver >= LOW_MAX_PASSED_OVER) {
            return PriorityClass.LOW;
        }
        return best;
    }

    /** The head of a given class, or null. */
    public T head(PriorityClass priority) {
        return lines.get(priority).peekFirst();
    }

    /** Removes and returns the first waiter (in class-turn order) the test accepts — e.g. one whose deadline passed. */
    public T removeFirstMatching(Predicate<T> test) {
        for (ArrayDeque<T> line : lines.values()) {
            for (T w : line) {
                if (test.test(w)) {
                    line.remove(w);
                    size--;
                    return w;
                }
            }
        }
        return null;
    }

    /** The oldest waiter over all classes by the given arrival order, for the admin view. */
    public Iterable<T> all() {
        java.util.List<T> out = new java.util.ArrayList<>(size);
        lines.values().forEach(out::addAll);
        return out;
    }
}
