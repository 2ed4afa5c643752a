package dev.sluice.bootstrap;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Instant;

/** With {@code test.mutable-clock=true}, the gateway runs on a {@link MutableClock} instead of the system clock. */
@Factory
@Requires(property = "test.mutable-clock", value = "true")
class MutableClockFactory {

    @Singleton
    @Replaces(bean = Clock.class, factory = GatewayFactory.class)
    MutableClock mutableClock(@Value("${test.mutable-clock.start:}") String start) {
        return new MutableClock(start.isBlank() ? MutableClock.DEFAULT_START : Instant.parse(start));
    }
}
