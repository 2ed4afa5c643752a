package dev.sluice.adapters.persistence;

import dev.sluice.application.port.ConfigChanges;
import org.jooq.DSLContext;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration changes between instances over PostgreSQL {@code LISTEN/NOTIFY} on the channel
 * {@value #CHANNEL}. {@link #announce()} sends {@code pg_notify} with this instance's id after a
 * change is committed; a daemon thread holds one connection of its own (outside the pool) that
 * listens, and runs {@code onRemoteChange} (a reload) for every announcement of another instance.
 * When the listening connection breaks it reconnects after {@code retryDelay} and reloads once,
 * since announcements sent meanwhile are lost; the periodic refresh stays as the safety net.
 */
public final class PostgresConfigChannel implements ConfigChanges, AutoCloseable {
    public static final String CHANNEL = "sluice_config";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresConfigChannel.class);
    private static final int POLL_MILLIS = 500;

    private final DSLContext dsl;
    private final String url;
    private final String user;
    private final String password;
    private final String instanceId;
    private final Runnable onRemoteChange;
    private final Duration retryDelay;
    private final Thread listener;
    private volatile boolean running = true;
    private volatile boolean listening;

    public PostgresConfigChannel(DSLContext dsl, String url, String user, String password, String instanceId,
                                 Runnable onRemoteChange, Duration retryDelay) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        this.url = Objects.requireNonNull(url, "url");
        this.user = user;
        this.password = password;
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.onRemoteChange = Objects.requireNonNull(onRemoteChange, "onRemoteChange");
        this.retryDelay = retryDelay;
        this.listener = Thread.ofPlatform().daemon().name("sluice-config-listen").unstarted(this::listen);
    }

    /** Starts listening; returns at once. */
    public PostgresConfigChannel start() {
        listener.start();
        return this;
    }

    /** Whether the listening connection is up (for health and tests). */
    public boolean listening() {
        return listening;
    }

    @Override
    public void announce() {
        try {
            dsl.execute("SELECT pg_notify(?, ?)", CHANNEL, instanceId);
        } catch (RuntimeException e) {
            LOG.warn("Announcing a configuration change failed; other instances pick it up at their next refresh: {}",
                    e.toString());
        }
    }

    private void listen() {
        boolean first = true;
        while (running) {
            try (Connection connection = DriverManager.getConnection(url, user, password)) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                listening = true;
                if (!first) {
                    LOG.info("Listening for configuration changes again; reloading for what was missed");
                    reload();
                }
                first = false;
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null && fromOthers(notifications)) {
                        reload();
                    }
                }
            } catch (SQLException e) {
                listening = false;
                if (running) {
                    LOG.warn("Listening for configuration changes failed; retrying in {}: {}", retryDelay, e.toString());
                    sleep(retryDelay);
                }
            }
        }
        listening = false;
    }

    private boolean fromOthers(PGNotification[] notifications) {
        for (PGNotification n : notifications) {
            if (!instanceId.equals(n.getParameter())) {
                return true;
            }
        }
        return false;
    }

    private void reload() {
        try {
            onRemoteChange.run();
        } catch (RuntimeException e) {
            LOG.warn("Reloading the configuration after another instance's change failed: {}", e.toString());
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        listener.interrupt();
        try {
            listener.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
