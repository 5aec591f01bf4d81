package io.raftkit.kv;

/**
 * Unicode checks for text that becomes keys and values. Java strings may hold a lone surrogate
 * (JSON's {@code "\ud800"} decodes to one), which has no UTF-8 form: {@code getBytes} turns it into
 * '?', so two different values would be stored as the same one.
 */
public final class Unicode {

    private Unicode() {
    }

    /**
     * Orders strings by code point, which is the unsigned byte order of their UTF-8 forms (a
     * snapshot's records must arrive in that order). {@link String#compareTo} orders by UTF-16 unit
     * and puts U+10000 and above (surrogate pairs) before U+E000..U+FFFF.
     */
    public static final java.util.Comparator<String> CODE_POINT_ORDER = Unicode::compareCodePoints;

    /** See {@link #CODE_POINT_ORDER}; for valid Unicode (no lone surrogates). */
    public static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            int x = a.charAt(i);
            int y = b.charAt(i);
            if (x != y) {
                if (x >= 0xD800 && y >= 0xD800) {
                    // Only here do the orders differ: move surrogates (a code point above U+FFFF)
                    // above U+E000..U+FFFF, as in UTF-8.
                    x = x >= 0xE000 ? x - 0x800 : x + 0x2000;
                    y = y >= 0xE000 ? y - 0x800 : y + 0x2000;
                }
                return x - y;
            }
        }
        return a.length() - b.length();
    }

    /** The index of the first surrogate without its pair in {@code s}, or -1 when there is none. */
    public static int loneSurrogateAt(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
