package io.raftkit.api.spi;

/** A plugin could not be found or chosen; the message lists what is available. */
public final class PluginException extends IllegalStateException {

    public PluginException(String message) {
        super(message);
    }
}
