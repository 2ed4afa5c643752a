package dev.sluice.application.port;

/**
 * Tells the other instances that the configuration has changed, so that they reload it at once
 * instead of at their next periodic refresh (which stays as the safety net).
 */
public interface ConfigChanges {
    /** For a single instance, or a store with no channel: nothing to tell. */
    ConfigChanges NONE = () -> { };

    /** Called after a change has been committed; must not throw (a lost announcement is caught by the refresh). */
    void announce();
}
