package io.raftkit.verifier.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds {@link Model}s by name through {@link ServiceLoader}, as the framework's {@code Plugins}
 * finds transports and stores: the ready-made ones in {@code io.raftkit.verifier.model} and any a
 * jar on the class path lists in {@code META-INF/services/io.raftkit.verifier.spi.Model}.
 */
public final class Models {

    private Models() {
    }

    /** The model called {@code name}; an unknown name is an error that lists the known ones. */
    public static Model<?> named(String name) {
        List<String> known = new ArrayList<>();
        for (Model<?> m : ServiceLoader.load(Model.class, Models.class.getClassLoader())) {
            if (m.name().equals(name)) {
                return m;
            }
            known.add(m.name());
        }
        throw new IllegalArgumentException("no model named '" + name + "' on the class path; known: " + known
                + " (a model is found through META-INF/services/" + Model.class.getName() + ")");
    }

    /** The names of the models on the class path, in the order ServiceLoader finds them. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (Model<?> m : ServiceLoader.load(Model.class, Models.class.getClassLoader())) {
            names.add(m.name());
        }
        return names;
    }

    /** Whether a model called {@code name} is on the class path. */
    public static boolean exists(String name) {
        for (Model<?> m : ServiceLoader.load(Model.class, Models.class.getClassLoader())) {
            if (m.name().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
