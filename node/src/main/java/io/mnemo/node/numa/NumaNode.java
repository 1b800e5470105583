package io.mnemo.node.numa;

/**
 * One NUMA node as sysfs describes it: its id ({@code nodeN}) and its online CPUs.
 *
 * @param id   the kernel's node number
 * @param cpus the node's online CPUs (offline ones are dropped); empty for a memory-only node
 */
public record NumaNode(int id, CpuSet cpus) {

    /** Checks the id and that {@code cpus} is present. */
    public NumaNode {
        if (id < 0) {
            throw new IllegalArgumentException("NUMA node id " + id + " is negative");
        }
        if (cpus == null) {
            throw new IllegalArgumentException("NUMA node " + id + " has a null CPU set");
        }
    }
}
