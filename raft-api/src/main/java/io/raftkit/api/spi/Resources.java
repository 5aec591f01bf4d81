package io.raftkit.api.spi;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Objects the host application lends to plugins by type, such as a {@code Vertx} instance or a
 * {@code MeterRegistry}, without raft-api depending on those libraries.
 */
public final class Resources {

    public static final Resources EMPTY = new Resources(Map.of());

    private final Map<Class<?>, Object> byType;

    private Resources(Map<Class<?>, Object> byType) {
        this.byType = Map.copyOf(byType);
    }

    /** A copy with {@code value} registered under {@code type}. */
    public <T> Resources with(Class<T> type, T value) {
        Map<Class<?>, Object> copy = new HashMap<>(byType);
        copy.put(type, type.cast(value));
        return new Resources(copy);
    }

    public <T> Optional<T> get(Class<T> type) {
        return Optional.ofNullable(type.cast(byType.get(type)));
    }

    @Override
    public String toString() {
        return "Resources" + byType.keySet();
    }
}
