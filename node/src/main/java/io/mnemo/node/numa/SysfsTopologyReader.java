package io.mnemo.node.numa;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the CPU/NUMA topology from a sysfs tree: {@code cpu/online}, {@code cpu/offline},
 * {@code node/nodeN/cpulist} and {@code cpu/cpuN/topology/thread_siblings_list}.
 *
 * <p>Missing pieces degrade, broken pieces fail: no {@code cpu/} directory (not Linux, or sysfs not
 * mounted) gives an undetected one-node stand-in; no {@code node/} directory (a kernel without NUMA)
 * gives one node holding every online CPU; a missing siblings file means "no SMT sibling". A file that
 * exists but cannot be read or parsed, or files that contradict each other, raise
 * {@link TopologyException} naming the file.
 */
final class SysfsTopologyReader {

    private static final Pattern NODE_DIR = Pattern.compile("node(\\d{1,5})");
    private static final String ALLOWED_KEY = "Cpus_allowed_list:";

    private SysfsTopologyReader() {
    }

    /** Reads the tree under {@code root}; {@code allowed} is the process's mask, or empty when unknown. */
    static NumaTopology read(Path root, Optional<CpuSet> allowed) {
        Path cpuDir = root.resolve("cpu");
        if (!Files.isDirectory(cpuDir)) {
            int cpus = Runtime.getRuntime().availableProcessors();
            return NumaTopology.undetected(cpus, "no sysfs CPU directory at " + cpuDir + "; assuming one node with "
                    + cpus + " CPUs (Runtime.availableProcessors)");
        }
        CpuSet online = readCpuList(cpuDir.resolve("online"), true);
        CpuSet offline = readCpuList(cpuDir.resolve("offline"), false);
        if (online.isEmpty()) {
            throw new TopologyException(cpuDir.resolve("online"), "no CPU is online", null);
        }
        if (online.intersects(offline)) {
            throw new TopologyException(cpuDir.resolve("offline"), "CPUs " + online.intersect(offline).format()
                    + " are listed both online (in " + cpuDir.resolve("online") + ") and offline", null);
        }
        List<NumaNode> nodes = new ArrayList<>();
        Path nodeDir = root.resolve("node");
        String source;
        if (Files.isDirectory(nodeDir)) {
            nodes.addAll(readNodes(nodeDir, online));
            source = root.toString();
        } else {
            nodes.add(new NumaNode(0, online));
            source = root + " (no node/ directory: kernel without NUMA, one node)";
        }
        Map<Integer, CpuSet> siblings = new HashMap<>();
        online.stream().forEach(cpu -> {
            Path file = cpuDir.resolve("cpu" + cpu).resolve("topology").resolve("thread_siblings_list");
            CpuSet sib = readCpuList(file, false);
            if (!sib.isEmpty() && !sib.contains(cpu)) {
                throw new TopologyException(file, "the siblings " + sib + " of cpu" + cpu + " do not include cpu" + cpu, null);
            }
            siblings.put(cpu, sib);
        });
        return new NumaTopology(nodes, offline, siblings, allowed.orElse(online), true, source);
    }

    private static List<NumaNode> readNodes(Path nodeDir, CpuSet online) {
        List<NumaNode> nodes = new ArrayList<>();
        List<Path> dirs;
        try (Stream<Path> list = Files.list(nodeDir)) {
            dirs = list.filter(p -> NODE_DIR.matcher(p.getFileName().toString()).matches())
                    .filter(Files::isDirectory)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new TopologyException(nodeDir, "cannot list the directory: " + e, e);
        }
        if (dirs.isEmpty()) {
            throw new TopologyException(nodeDir, "no nodeN directories", null);
        }
        CpuSet seen = CpuSet.empty();
        Map<Integer, Integer> ownerOf = new HashMap<>();
        for (Path dir : dirs) {
            Matcher m = NODE_DIR.matcher(dir.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            int id = Integer.parseInt(m.group(1));
            Path file = dir.resolve("cpulist");
            CpuSet cpus = readCpuList(file, true).intersect(online);
            if (cpus.intersects(seen)) {
                int cpu = cpus.intersect(seen).first();
                throw new TopologyException(file, "cpu" + cpu + " is also listed in node" + ownerOf.get(cpu), null);
            }
            cpus.stream().forEach(cpu -> ownerOf.put(cpu, id));
            seen = seen.union(cpus);
            nodes.add(new NumaNode(id, cpus));
        }
        CpuSet orphans = online.minus(seen);
        if (!orphans.isEmpty()) {
            throw new TopologyException(nodeDir, "online CPUs " + orphans.format() + " belong to no node", null);
        }
        return nodes;
    }

    /** The CPU list in {@code file}; a missing optional file is the empty set. */
    static CpuSet readCpuList(Path file, boolean required) {
        if (!Files.exists(file)) {
            if (required) {
                throw new TopologyException(file, "missing", null);
            }
            return CpuSet.empty();
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new TopologyException(file, "cannot read: " + e, e);
        }
        try {
            return CpuSet.parse(text);
        } catch (CpuListFormatException e) {
            throw new TopologyException(file, e.getMessage(), e);
        }
    }

    /**
     * The {@code Cpus_allowed_list} from a {@code /proc/.../status} file; empty when the file is
     * missing (not Linux) or has no such line. Malformed content is an error naming the file.
     */
    static Optional<CpuSet> readAllowedCpus(Path statusFile) {
        if (!Files.isReadable(statusFile)) {
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(statusFile);
        } catch (IOException e) {
            throw new TopologyException(statusFile, "cannot read: " + e, e);
        }
        for (String line : lines) {
            if (line.startsWith(ALLOWED_KEY)) {
                try {
                    return Optional.of(CpuSet.parse(line.substring(ALLOWED_KEY.length())));
                } catch (CpuListFormatException e) {
                    throw new TopologyException(statusFile, e.getMessage(), e);
                }
            }
        }
        return Optional.empty();
    }
}
