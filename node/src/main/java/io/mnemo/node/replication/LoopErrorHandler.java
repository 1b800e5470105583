package io.mnemo.node.replication;

/** Receives every throwable a background loop catches; must not throw. */
@FunctionalInterface
public interface LoopErrorHandler {
    void onError(String loop, Throwable error);
}
