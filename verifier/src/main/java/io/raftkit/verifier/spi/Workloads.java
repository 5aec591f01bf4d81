package io.raftkit.verifier.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds {@link Workload}s by name through {@link ServiceLoader}
 * ({@code META-INF/services/io.raftkit.verifier.spi.Workload}). Each call makes a new instance, so
 * a workload's counters start afresh in every run.
 */
public final class Workloads {

    private Workloads() {
    }

    /** A new instance of the workload called {@code name}; an unknown name lists the known ones. */
    public static Workload named(String name) {
        List<String> known = new ArrayList<>();
        for (Workload w : ServiceLoader.load(Workload.class, Workloads.class.getClassLoader())) {
            if (w.name().equals(name)) {
                return w;
            }
            known.add(w.name());
        }
        throw new IllegalArgumentException("no workload named '" + name + "' on the class path; known: " + known
                + " (a workload is found through META-INF/services/" + Workload.class.getName() + ")");
    }
}
