package io.raftkit.api.spi;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * String settings for a plugin (from flags or a config file) with typed getters whose errors name
 * the option, its value and what was expected.
 */
public record Options(Map<String, String> values) {

    public static final Options EMPTY = new Options(Map.of());

    public Options {
        values = Map.copyOf(new TreeMap<>(values));
    }

    public static Options of(Map<String, String> values) {
        return new Options(values);
    }

    /**
     * Refuses options {@code plugin} does not know, so a misspelt setting is an error naming it
     * instead of a default silently kept. Returns this, for chaining.
     */
    public Options requireOnly(String plugin, Set<String> known) {
        for (String name : values.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option '" + name + "' for " + plugin
                        + (known.isEmpty() ? ", which takes none" : "; it knows " + new TreeSet<>(known)));
            }
        }
        return this;
    }

    /** These options without {@code names}: what a wrapping plugin passes on to the one it wraps. */
    public Options without(Set<String> names) {
        Map<String, String> rest = new TreeMap<>(values);
        rest.keySet().removeAll(names);
        return new Options(rest);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    public long longValue(String name, long defaultValue, long min, long max) {
        String raw = values.get(name);
        if (raw == null) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + name + " = '" + raw + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("option " + name + " = " + value + " is out of range: allowed " + min + " to " + max);
        }
        return value;
    }

    public int intValue(String name, int defaultValue, int min, int max) {
        return (int) longValue(name, defaultValue, min, max);
    }

    public boolean booleanValue(String name, boolean defaultValue) {
        String raw = values.get(name);
        if (raw == null) {
            return defaultValue;
        }
        return switch (raw.trim().toLowerCase()) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("option " + name + " = '" + raw + "' is not a boolean (true or false)");
        };
    }
}
