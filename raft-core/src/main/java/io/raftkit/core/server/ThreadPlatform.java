package io.raftkit.core.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The production platform: {@link System#nanoTime()}, one daemon thread per loop and per worker. */
final class ThreadPlatform implements Platform {

    static final ThreadPlatform INSTANCE = new ThreadPlatform();
    /** How long stopping waits for a task in progress (a slow fsync, say) before giving up on it. */
    private static final long STOP_WAIT_MILLIS = 5_000;

    private ThreadPlatform() {
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Loop loop(String name, long tickNanos, Loop.Handler handler) {
        return new ThreadLoop(name, tickNanos, handler);
    }

    @Override
    public Worker worker(String name) {
        return new ThreadWorker(name);
    }

    private static final class ThreadLoop implements Loop {
        private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
        private final long tickNanos;
        private final Handler handler;
        private final Thread thread;
        private volatile boolean running;

        ThreadLoop(String name, long tickNanos, Handler handler) {
            this.tickNanos = tickNanos;
            this.handler = handler;
            this.thread = new Thread(this::run, name);
            this.thread.setDaemon(true);
        }

        @Override
        public void start() {
            running = true;
            thread.start();
        }

        @Override
        public void execute(Runnable task) {
            inbox.add(task);
        }

        private void run() {
            long nextTick = System.nanoTime() + tickNanos;
            try {
                while (running) {
                    long now = System.nanoTime();
                    if (now >= nextTick) {
                        handler.tick();
                        // After a stall (GC, a slow disk) skip missed ticks rather than burst them:
                        // a burst would fire elections the stall did not justify.
                        nextTick = Math.max(nextTick + tickNanos, now);
                    }
                    Runnable first = inbox.poll(Math.max(0, nextTick - now), TimeUnit.NANOSECONDS);
                    if (first != null) {
                        first.run();
                        // Check before taking a task: one taken after a stop would be lost, neither
                        // run nor handed to whoever drains the queue.
                        while (running) {
                            Runnable next = inbox.poll();
                            if (next == null) {
                                break;
                            }
                            next.run();
                        }
                    }
                    if (running) {
                        handler.turnEnded();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | Error e) {
                running = false;
                handler.failed(e);
            }
        }

        @Override
        public void stop() {
            running = false;
            inbox.add(() -> { }); // wakes a loop waiting for work
            if (Thread.currentThread() != thread) {
                try {
                    thread.join(STOP_WAIT_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public List<Runnable> drain() {
            List<Runnable> queued = new ArrayList<>();
            inbox.drainTo(queued);
            return queued;
        }

        @Override
        public boolean isAlive() {
            return thread.isAlive();
        }
    }

    private static final class ThreadWorker implements Worker {
        private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
        private final Thread thread;
        private volatile boolean running = true;

        ThreadWorker(String name) {
            this.thread = new Thread(this::run, name);
            this.thread.setDaemon(true);
            this.thread.start();
        }

        @Override
        public void execute(Runnable task) {
            queue.add(task);
        }

        private void run() {
            try {
                while (running) {
                    // Never interrupted to stop: an interrupt inside FileChannel.force closes the channel.
                    Runnable task = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (task != null && running) {
                        task.run();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            running = false;
            if (Thread.currentThread() != thread) {
                try {
                    thread.join(STOP_WAIT_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
