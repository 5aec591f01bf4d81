package io.raftkit.api.spi;

import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Finds providers on the classpath with {@link ServiceLoader}: by name, or the only one there is.
 * Every failure lists what is available, since the usual cause is a missing or extra jar.
 */
public final class Plugins {

    private Plugins() {
    }

    public static TransportProvider transport(String name) {
        return find(TransportProvider.class, "transport", name);
    }

    public static LogStoreProvider logStore(String name) {
        return find(LogStoreProvider.class, "log store", name);
    }

    public static SnapshotStoreProvider snapshotStore(String name) {
        return find(SnapshotStoreProvider.class, "snapshot store", name);
    }

    public static StateMachineProvider stateMachine(String name) {
        return find(StateMachineProvider.class, "state machine", name);
    }

    /**
     * The provider of {@code type} called {@code name}; with a null or blank name, the only one on
     * the classpath.
     *
     * @throws PluginException when there is none, several, or none of that name
     */
    public static <P extends Plugin> P find(Class<P> type, String what, String name) {
        return find(type, what, name, Thread.currentThread().getContextClassLoader());
    }

    public static <P extends Plugin> P find(Class<P> type, String what, String name, ClassLoader loader) {
        TreeMap<String, P> byName = new TreeMap<>();
        for (P provider : ServiceLoader.load(type, loader == null ? Plugins.class.getClassLoader() : loader)) {
            P clash = byName.putIfAbsent(provider.name(), provider);
            if (clash != null) {
                throw new PluginException("two " + what + " plugins are named '" + provider.name() + "': "
                        + clash.getClass().getName() + " and " + provider.getClass().getName());
            }
        }
        if (name == null || name.isBlank()) {
            if (byName.size() == 1) {
                return byName.firstEntry().getValue();
            }
            if (byName.isEmpty()) {
                throw new PluginException("no " + what + " plugin on the classpath; add a jar that registers "
                        + type.getName() + " in META-INF/services");
            }
            throw new PluginException("several " + what + " plugins on the classpath, choose one by name: "
                    + describe(byName.values()));
        }
        P provider = byName.get(name);
        if (provider == null) {
            throw new PluginException("no " + what + " plugin named '" + name + "'; available: "
                    + (byName.isEmpty() ? "none" : describe(byName.values())));
        }
        return provider;
    }

    /** Names of every provider of {@code type} on the classpath, sorted. */
    public static <P extends Plugin> List<String> available(Class<P> type) {
        return ServiceLoader.load(type).stream().map(p -> p.get().name()).sorted().toList();
    }

    private static String describe(java.util.Collection<? extends Plugin> providers) {
        return providers.stream().map(Plugin::name).collect(Collectors.joining(", "));
    }
}
