package io.raftkit.api.spi;

/** Creates {@link Transport}s; registered in {@code META-INF/services/io.raftkit.api.spi.TransportProvider}. */
public interface TransportProvider extends Plugin {

    /** Builds a transport, not yet started. Bad options throw {@link IllegalArgumentException} naming the option. */
    Transport create(TransportConfig config);
}
