package io.raftkit.verifier.workload;

/**
 * One operation a client is about to perform: {@code f} is read, write, cas or add; a CAS value
 * is {@code [expected, new]} as a two-element list.
 */
public record Invocation(String f, String key, Object value) {
}
