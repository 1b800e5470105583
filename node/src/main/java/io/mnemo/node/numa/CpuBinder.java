package io.mnemo.node.numa;

import java.util.BitSet;
import net.openhft.affinity.Affinity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Pins the calling thread to CPUs. An interface so tests can simulate a kernel that refuses. */
@FunctionalInterface
interface CpuBinder {

    /**
     * Pins the calling thread to {@code cpus}.
     *
     * @return true when the kernel now reports exactly that mask for the thread; false when pinning is
     *         unsupported or was refused (the thread then runs unpinned)
     */
    boolean bindCurrentThread(CpuSet cpus);

    /** Through OpenHFT affinity ({@code sched_setaffinity} via JNA on Linux), checked by reading the mask back. */
    static CpuBinder openHft() {
        return OpenHftBinder.INSTANCE;
    }

    /** The OpenHFT-backed binder. */
    final class OpenHftBinder implements CpuBinder {

        static final OpenHftBinder INSTANCE = new OpenHftBinder();
        private static final Logger LOG = LoggerFactory.getLogger(OpenHftBinder.class);

        private OpenHftBinder() {
        }

        @Override
        public boolean bindCurrentThread(CpuSet cpus) {
            BitSet wanted = cpus.toBitSet();
            try {
                Affinity.setAffinity(wanted);
                BitSet now = Affinity.getAffinity();
                if (!wanted.equals(now)) {
                    LOG.warn("thread {} asked for CPUs {} but the kernel reports {}; it runs unpinned",
                            Thread.currentThread().getName(), cpus, CpuSet.fromBitSet(now));
                    return false;
                }
                return true;
            } catch (RuntimeException | LinkageError e) {
                // LinkageError: JNA missing or unusable on this platform. Pinning is an optimisation,
                // so the worker carries on unpinned; the status and this warning say so.
                LOG.warn("thread {} could not be pinned to CPUs {}: {}; it runs unpinned",
                        Thread.currentThread().getName(), cpus, e.toString());
                return false;
            }
        }
    }
}
