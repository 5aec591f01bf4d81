package io.raftkit.verifier.nemesis;

/** The kinds of fault a run may inject, chosen with {@code --nemesis partition,kill,pause}. */
public enum Fault {
    PARTITION,
    KILL,
    PAUSE;

    public static Fault parse(String name) {
        for (Fault f : values()) {
            if (f.name().equalsIgnoreCase(name.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown nemesis '" + name + "': choose from partition, kill, pause");
    }
}
