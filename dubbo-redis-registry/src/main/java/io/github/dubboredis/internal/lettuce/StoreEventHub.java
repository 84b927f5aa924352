package io.github.dubboredis.internal.lettuce;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.github.dubboredis.internal.concurrent.Scheduler;
import io.github.dubboredis.internal.store.StoreListener;

/**
 * The listeners of a store, and how events reach them: on the store's scheduler thread, every listener for
 * what concerns each registry (messages, restored links), one listener for what concerns the shared
 * connection only (a warning about a node), so that it is logged once, not once per registry.
 */
final class StoreEventHub {

    private final Scheduler scheduler;
    private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();
    /**
     * Warnings and information (kind, node, message) that came before any listener reported them; handed to the
     * first one that does. Scheduler thread only.
     */
    private final List<String[]> unheard = new ArrayList<>();

    StoreEventHub(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    void add(StoreListener listener) {
        listeners.add(listener);
        if (listener.reportsConnectionEvents()) {
            scheduler.execute(() -> {
                for (String[] w : unheard) {
                    tell(listener, w[0], w[1], w[2]);
                }
                unheard.clear();
            });
        }
    }

    private static void tell(StoreListener l, String kind, String node, String message) {
        if (kind.equals("warning")) {
            l.onWarning(node, message);
        } else {
            l.onInfo(node, message);
        }
    }

    void remove(StoreListener listener) {
        listeners.remove(listener);
    }

    /**
     * Tells every listener, as a task of the scheduler (at once on the calling client thread when the scheduler is
     * idle); one listener's failure does not keep it from the others.
     */
    void fire(Consumer<StoreListener> event) {
        scheduler.executeNowIfIdle(() -> fireNow(event));
    }

    /** As {@link #fire}, from the scheduler thread itself. */
    void fireNow(Consumer<StoreListener> event) {
        for (StoreListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                // listeners report their own problems
            }
        }
    }

    /** A lost connection: every registry counts it, the first one logs it. */
    void connectionLost(String node, String cause) {
        scheduler.execute(() -> {
            boolean reportedToAnother = false;
            for (StoreListener l : listeners) {
                if (!l.reportsConnectionEvents()) {
                    continue;
                }
                try {
                    l.onConnectionLost(node, cause, reportedToAnother);
                    reportedToAnother = true;
                } catch (RuntimeException e) {
                    // a failing listener must not keep the event from the others
                }
            }
        });
    }

    /** A warning about a node: told to one reporting listener (the oldest), or kept until one comes. */
    void warning(String node, String message) {
        report("warning", node, message);
    }

    /** Information about how the store works: told once, as a warning is. */
    void info(String node, String message) {
        report("info", node, message);
    }

    private void report(String kind, String node, String message) {
        scheduler.execute(() -> {
            for (StoreListener l : listeners) {
                if (!l.reportsConnectionEvents()) {
                    continue;
                }
                try {
                    tell(l, kind, node, message);
                    return;
                } catch (RuntimeException e) {
                    // try the next one
                }
            }
            if (unheard.size() < 16) {
                unheard.add(new String[] {kind, node, message});
            }
        });
    }
}
