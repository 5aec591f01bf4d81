package io.raftkit.kv.server;

/** A {@code host:port} pair with a parse error that names the setting. */
public record HostPort(String host, int port) {

    public static HostPort parse(String what, String text) {
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException(what + " '" + text + "' must be host:port");
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + text + "': port is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " '" + text + "': port must be 1 to 65535");
        }
        return new HostPort(t.substring(0, colon), port);
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
