package dev.sluice.adminweb.console;

import java.net.URI;

/** The console's URLs, in one place for controllers and templates' callers. */
public final class ConsolePaths {

    public static final String ROOT = "/console";
    public static final String LOGIN = ROOT + "/login";
    public static final String LOGOUT = ROOT + "/logout";
    public static final String BACKENDS = ROOT + "/backends";
    public static final String APPS = ROOT + "/apps";
    public static final String USAGE = ROOT + "/usage";
    public static final String REQUESTS = ROOT + "/requests";
    public static final String QUOTAS = ROOT + "/quotas";
    public static final String QUEUE = ROOT + "/queue";
    public static final String AUDIT = ROOT + "/audit";
    public static final String STATIC = ROOT + "/static";
    /** JSON from the admin API for the pages' scripts (charts, live tiles), read with the session. */
    public static final String DATA = ROOT + "/data";

    static final URI ROOT_URI = URI.create(ROOT);
    static final URI LOGIN_URI = URI.create(LOGIN);

    private ConsolePaths() {
    }

    /** Whether a path is served without a session: the sign-in page and the static assets. */
    static boolean open(String path) {
        return path.equals(LOGIN) || path.startsWith(STATIC + "/");
    }
}
