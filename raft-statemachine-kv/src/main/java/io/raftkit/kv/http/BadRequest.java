package io.raftkit.kv.http;

/** A request refused before anything was proposed: answered 400 with outcome not-applied. */
final class BadRequest extends Exception {

    final String error;

    BadRequest(String error, String message) {
        super(message, null, false, false);
        this.error = error;
    }
}
