package io.mnemo.node.cluster.ownership;

/** Told about new baseline epochs; see {@link OwnershipLog#addEpochListener}. */
@FunctionalInterface
public interface EpochListener {
    /** Called with a baseline whose epoch is higher than any this listener saw before. */
    void onEpoch(BaselineState state);
}
