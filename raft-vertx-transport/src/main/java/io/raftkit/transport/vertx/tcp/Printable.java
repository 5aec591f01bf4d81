package io.raftkit.transport.vertx.tcp;

/** Quotes text a stranger sent, so it cannot forge or break log lines. */
final class Printable {

    private static final int MAX_CHARS = 100;

    private Printable() {
    }

    static String quote(String untrusted) {
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < untrusted.length() && i < MAX_CHARS; i++) {
            char c = untrusted.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (untrusted.length() > MAX_CHARS) {
            out.append("...");
        }
        return out.append('\'').toString();
    }
}
