package dev.sluice.adapters.upstream;

import java.net.URI;

/** Where one URL points: the pool key (scheme, host, port) and the request target. */
record Target(boolean tls, String host, int port, String requestTarget, String hostHeader) {

    static Target parse(String url) {
        URI uri = URI.create(url);
        String scheme = uri.getScheme();
        boolean tls;
        if ("https".equalsIgnoreCase(scheme)) {
            tls = true;
        } else if ("http".equalsIgnoreCase(scheme)) {
            tls = false;
        } else {
            throw new IllegalArgumentException("unsupported scheme");
        }
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("no host");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        boolean defaultPort = uri.getPort() < 0 || (tls && port == 443) || (!tls && port == 80);
        String hostHeader = defaultPort ? host : host + ":" + port;
        return new Target(tls, host, port, target, hostHeader);
    }

    PoolKey poolKey() {
        return new PoolKey(tls, host, port);
    }

    record PoolKey(boolean tls, String host, int port) {
    }
}
