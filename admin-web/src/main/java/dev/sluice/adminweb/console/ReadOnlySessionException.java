package dev.sluice.adminweb.console;

/** A viewer's session tried to change something. */
public class ReadOnlySessionException extends RuntimeException {

    public ReadOnlySessionException(String user) {
        super("You are signed in as " + user + ", a viewer: you can look at everything but not change it.", null, false, false);
    }
}
