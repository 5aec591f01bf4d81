package io.raftkit.kv;

/**
 * Unicode checks for text that becomes keys and values. Java strings may hold a lone surrogate
 * (JSON's {@code "\ud800"} decodes to one), which has no UTF-8 form: {@code getBytes} turns it into
 * '?', so two different values would be stored as the same one.
 */
public final class Unicode {

    private Unicode() {
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
