package io.mnemo.node.cluster.membership;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.failure.AbstractFailureHandler;
import org.apache.ignite.failure.FailureContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the embedded Ignite node does when Ignite detects a failure of its own.
 *
 * <p>Ignite's default ({@code StopNodeOrHaltFailureHandler}) may halt the JVM. Here that would be wrong:
 * Ignite carries no data, while the same JVM runs the warm tier, replication and the gRPC server. A
 * membership fault must not take those down mid-write. So:
 * <ul>
 *   <li>Minor failures ({@code SYSTEM_WORKER_BLOCKED}, {@code SYSTEM_CRITICAL_OPERATION_TIMEOUT}, Ignite's
 *       default ignored set: a long GC pause or a slow disk) are logged by Ignite and counted here; the node
 *       carries on.</li>
 *   <li>Critical ones (segmentation, a system worker dying, a critical error such as a data region out of
 *       memory) stop the Ignite node only (from a separate thread, as Ignite requires), count, and report
 *       through {@code onStopped} so that the membership publishes
 *       {@link MembershipEvent.Kind#LOCAL_STOPPED}. The other members see this node fail; the node's
 *       supervisor decides whether to drain and exit or to restart membership. Ownership is unaffected until
 *       the Raft baseline changes.</li>
 * </ul>
 */
final class MembershipFailureHandler extends AbstractFailureHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipFailureHandler.class);

    private final LongAdder minor = new LongAdder();
    private final LongAdder critical = new LongAdder();
    private final Consumer<String> onStopped;

    MembershipFailureHandler(Consumer<String> onStopped) {
        this.onStopped = onStopped;
    }

    @Override
    public boolean onFailure(Ignite ignite, FailureContext failureCtx) {
        if (getIgnoredFailureTypes().contains(failureCtx.type())) {
            minor.increment();
        }
        return super.onFailure(ignite, failureCtx);
    }

    @Override
    protected boolean handle(Ignite ignite, FailureContext failureCtx) {
        critical.increment();
        String reason = failureCtx.type() + ": " + failureCtx.error();
        LOG.error("Ignite node {} hit a critical failure ({}); stopping the membership layer, not the JVM",
                ignite.name(), reason, failureCtx.error());
        String name = ignite.name();
        Thread stopper = new Thread(() -> {
            try {
                Ignition.stop(name, true);
            } catch (RuntimeException e) {
                LOG.error("stopping Ignite node {} after a critical failure failed", name, e);
            } finally {
                onStopped.accept(reason);
            }
        }, "mnemo-membership-stopper-" + name);
        stopper.setDaemon(true);
        stopper.start();
        return true;
    }

    long minorFailureCount() {
        return minor.sum();
    }

    long criticalFailureCount() {
        return critical.sum();
    }
}
