package io.raftkit.verifier.checker;

import clojure.lang.Keyword;
import clojure.lang.Named;
import io.raftkit.verifier.spi.Op;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * History values as a Java {@link io.raftkit.verifier.spi.Model} sees them: keywords become their
 * names, integers Longs, Clojure collections unmodifiable Java ones. Converted once per operation
 * before the search, not at every step.
 */
public final class JavaValues {

    private JavaValues() {
    }

    /** The operation a Java model steps with; {@code f} is a keyword or a string. */
    public static Op op(Object f, Object value, Object key) {
        return new Op(f instanceof Named n ? n.getName() : String.valueOf(f), toJava(value), key == null ? null : String.valueOf(toJava(key)));
    }

    public static Object toJava(Object v) {
        if (v instanceof Keyword k) {
            return k.getName();
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(toJava(e.getKey()), toJava(e.getValue()));
            }
            return Collections.unmodifiableMap(out);
        }
        if (v instanceof Set<?> s) {
            Set<Object> out = new LinkedHashSet<>();
            for (Object x : s) {
                out.add(toJava(x));
            }
            return Collections.unmodifiableSet(out);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) {
                out.add(toJava(x));
            }
            return Collections.unmodifiableList(out);
        }
        return v;
    }
}
