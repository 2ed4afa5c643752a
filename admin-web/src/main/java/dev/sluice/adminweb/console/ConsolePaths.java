package dev.sluice.adminweb.console;

import java.net.URI;

/** The console's URLs, in one place for controllers and templates' callers. */
public final class ConsolePaths {

    public static final String ROOT = "/console";
    public static final String LOGIN = ROOT + "/login";
    public static final String LOGOUT = ROOT + "/logout";
    public static final String BACKENDS = ROOT + "/backends";
    public static final String STATIC = ROOT + "/static";

    static final URI ROOT_URI = URI.create(ROOT);
    static final URI LOGIN_URI = URI.create(LOGIN);

    private ConsolePaths() {
    }
}
