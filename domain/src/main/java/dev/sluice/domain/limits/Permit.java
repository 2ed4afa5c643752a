package dev.sluice.domain.limits;

/** What an admitted request holds in one set of limits until it ends (then it is settled). */
public interface Permit {
    /** The tokens reserved at admission. */
    long estimate();
}
