package io.raftkit.core.sim;

import io.raftkit.core.server.Loop;
import io.raftkit.core.server.Platform;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The platform of one incarnation of a simulated node: virtual time from the {@link EventQueue},
 * a loop whose turns and ticks are events, and a log-writer worker whose writes complete after a
 * disk latency drawn from the seed. When the incarnation crashes, nothing of it runs any more:
 * queued tasks, ticks and writes are dropped, as a killed process's would be. While the node is
 * paused (a long GC pause, a stopped process), its loop runs nothing and tasks queue up.
 */
final class SimPlatform implements Platform {

    private final EventQueue events;
    private final SimNode node;
    private final int incarnation;
    private final SplittableRandom random;
    private final long maxDiskLatencyNanos;

    SimPlatform(EventQueue events, SimNode node, int incarnation, SplittableRandom random, long maxDiskLatencyNanos) {
        this.events = events;
        this.node = node;
        this.incarnation = incarnation;
        this.random = random;
        this.maxDiskLatencyNanos = maxDiskLatencyNanos;
    }

    @Override
    public long nanoTime() {
        return events.nowNanos();
    }

    private boolean alive() {
        return node.isAlive(incarnation);
    }

    @Override
    public Loop loop(String name, long tickNanos, Loop.Handler handler) {
        return new SimLoop(tickNanos, handler);
    }

    @Override
    public Worker worker(String name) {
        return new SimWorker();
    }

    private final class SimLoop implements Loop {
        private final long tickNanos;
        private final Handler handler;
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private boolean turnScheduled;
        private boolean started;
        private boolean stopped;

        SimLoop(long tickNanos, Handler handler) {
            this.tickNanos = tickNanos;
            this.handler = handler;
        }

        @Override
        public void start() {
            started = true;
            // Real nodes tick out of phase with each other; the phase comes from the seed.
            events.after(1 + random.nextLong(tickNanos), this::tick);
        }

        private boolean running() {
            return started && !stopped && alive();
        }

        private void tick() {
            if (!running()) {
                return;
            }
            if (node.pausedUntilNanos > events.nowNanos()) {
                // A paused process misses its ticks; like the real loop after a stall, it runs one
                // tick when it wakes, then everything that queued up, in one turn.
                events.at(node.pausedUntilNanos, this::tick);
                return;
            }
            guarded(handler::tick);
            runTasksAndEndTurn();
            events.after(tickNanos, this::tick);
        }

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
            if (!turnScheduled) {
                turnScheduled = true;
                events.after(0, this::turn);
            }
        }

        private void turn() {
            if (node.pausedUntilNanos > events.nowNanos()) {
                events.at(node.pausedUntilNanos, this::turn);
                return;
            }
            turnScheduled = false;
            runTasksAndEndTurn();
        }

        private void runTasksAndEndTurn() {
            if (!running()) {
                return;
            }
            // Like the real loop: every task queued so far, including those queued meanwhile.
            for (Runnable task = tasks.poll(); task != null && running(); task = tasks.poll()) {
                guarded(task);
            }
            if (running()) {
                guarded(handler::turnEnded);
            }
        }

        /** A throw stops the node through the production path, then fails the run: it is a bug. */
        private void guarded(Runnable action) {
            try {
                action.run();
            } catch (SafetyViolation e) {
                throw e; // a check of the simulator's own, not the node's failure
            } catch (RuntimeException | Error e) {
                stopped = true;
                handler.failed(e);
                node.violations.rethrow(); // a check that fired inside the node (in apply, say) names the property
                throw node.violations.record(new SafetyViolation("node failure", node.id + " threw " + e, e));
            }
        }

        @Override
        public void stop() {
            stopped = true;
        }

        @Override
        public List<Runnable> drain() {
            List<Runnable> queued = new ArrayList<>(tasks);
            tasks.clear();
            return queued;
        }

        @Override
        public boolean isAlive() {
            return running();
        }
    }

    private final class SimWorker implements Worker {
        private long lastDueNanos;
        private boolean closed;

        @Override
        public void execute(Runnable task) {
            long latency = maxDiskLatencyNanos == 0 ? 0 : random.nextLong(maxDiskLatencyNanos + 1);
            if (node.diskStalledUntilNanos > events.nowNanos()) {
                latency += node.diskStallNanos; // an fsync that hangs, as disks under pressure do
            }
            // In order: a write never completes before one submitted earlier.
            long due = Math.max(events.nowNanos() + latency, lastDueNanos);
            lastDueNanos = due;
            events.at(due, () -> {
                if (!closed && alive()) {
                    task.run();
                }
            });
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
