package io.raftkit.api.spi;

/** What every provider has: a short unique name users choose it by ({@code mapdb}, {@code vertx-tcp}). */
public interface Plugin {

    String name();

    /** One line for listings and error messages. */
    default String description() {
        return getClass().getName();
    }
}
