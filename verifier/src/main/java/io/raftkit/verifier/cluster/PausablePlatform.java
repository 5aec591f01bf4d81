package io.raftkit.verifier.cluster;

import io.raftkit.core.server.Loop;
import io.raftkit.core.server.Platform;

/**
 * Real threads whose loop can be stopped dead, as SIGSTOP stops a process: while paused, the node's
 * loop thread waits inside its next tick or turn, so it handles no message, tick, proposal or read,
 * and its clock still runs (a resumed leader finds its requests' deadlines passed and its term
 * perhaps taken, as after a GC pause). Messages and requests sent to it queue in its inbox meanwhile,
 * as a stopped process's socket buffers keep what arrives.
 */
final class PausablePlatform implements Platform {

    private final Platform inner = Platform.threads();
    private final Object gate = new Object();
    private boolean paused;

    void pause() {
        synchronized (gate) {
            paused = true;
        }
    }

    void resume() {
        synchronized (gate) {
            paused = false;
            gate.notifyAll();
        }
    }

    private void awaitResumed() {
        synchronized (gate) {
            while (paused) {
                try {
                    gate.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return; // the loop is being stopped: let it
                }
            }
        }
    }

    @Override
    public long nanoTime() {
        return inner.nanoTime();
    }

    @Override
    public Loop loop(String name, long tickNanos, Loop.Handler handler) {
        return inner.loop(name, tickNanos, new Loop.Handler() {
            @Override
            public void tick() {
                awaitResumed();
                handler.tick();
            }

            @Override
            public void turnEnded() {
                awaitResumed();
                handler.turnEnded();
            }

            @Override
            public void failed(Throwable cause) {
                handler.failed(cause);
            }
        });
    }

    @Override
    public Worker worker(String name) {
        return inner.worker(name);
    }
}
