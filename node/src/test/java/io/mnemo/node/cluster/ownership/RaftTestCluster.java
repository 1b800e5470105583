package io.mnemo.node.cluster.ownership;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * A Raft group of real {@link RaftOwnershipLog}s in this JVM, on 127.0.0.1 with free ports and one data
 * directory per member, which survive {@link #stop} and {@link #start} so members can be restarted.
 */
final class RaftTestCluster implements AutoCloseable {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final Duration WAIT = Duration.ofSeconds(15);

    static {
        // JGroups logs through SLF4J to Logback, whose default is DEBUG on the console. -Dmnemo.test.jgroupsLog=TRACE
        // (any Logback level) shows the Raft traffic when a cluster test needs debugging.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.jgroups"))
                .setLevel(Level.toLevel(System.getProperty("mnemo.test.jgroupsLog"), Level.WARN));
    }

    private final List<String> ids = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final Path dir;
    private final RaftOwnershipLog[] logs;
    private final Consumer<RaftOwnershipConfig.Builder> tuning;

    RaftTestCluster(int size, Path dir, Consumer<RaftOwnershipConfig.Builder> tuning) throws IOException {
        this.dir = dir;
        this.tuning = tuning;
        this.logs = new RaftOwnershipLog[size];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                ServerSocket s = new ServerSocket(0, 1, LOOPBACK);
                held.add(s);
                ids.add("n" + (i + 1));
                ports.add(s.getLocalPort());
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    RaftTestCluster(int size, Path dir) throws IOException {
        this(size, dir, b -> { });
    }

    RaftOwnershipConfig config(int i) {
        return config(i, dir.resolve(ids.get(i)));
    }

    RaftOwnershipConfig config(int i, Path dataDir) {
        RaftOwnershipConfig.Builder b = RaftOwnershipConfig.builder()
                .nodeId(ids.get(i))
                .bind(LOOPBACK, ports.get(i))
                .dataDir(dataDir)
                .clusterName("mnemo-ownership-test-" + ports.get(0))
                .failureDetectionTimeout(Duration.ofSeconds(2));
        for (int j = 0; j < ids.size(); j++) {
            b.raftMember(ids.get(j), new InetSocketAddress(LOOPBACK, ports.get(j)));
        }
        tuning.accept(b);
        return b.build();
    }

    RaftTestCluster startAll() throws Exception {
        for (int i = 0; i < logs.length; i++) {
            start(i);
        }
        return this;
    }

    RaftOwnershipLog start(int i) throws Exception {
        if (logs[i] != null) {
            throw new IllegalStateException(ids.get(i) + " is running");
        }
        logs[i] = RaftOwnershipLog.start(config(i));
        return logs[i];
    }

    void stop(int i) {
        logs[i].close();
        logs[i] = null;
    }

    RaftOwnershipLog log(int i) {
        return logs[i];
    }

    int size() {
        return logs.length;
    }

    String id(int i) {
        return ids.get(i);
    }

    /** Waits until every running member names the same running member as leader, and returns its index. */
    int awaitLeader() {
        int[] leader = {-1};
        Await.until("all running members agree on one leader", () -> {
            Optional<String> agreed = Optional.empty();
            int count = 0;
            for (RaftOwnershipLog l : logs) {
                if (l == null) {
                    continue;
                }
                Optional<String> id = l.leaderId();
                if (id.isEmpty() || agreed.isPresent() && !agreed.equals(id)) {
                    return false;
                }
                agreed = id;
                count += l.isLeader() ? 1 : 0;
            }
            if (count != 1) {
                return false;
            }
            leader[0] = ids.indexOf(agreed.orElseThrow());
            return leader[0] >= 0 && logs[leader[0]] != null;
        }, WAIT, this::describe);
        return leader[0];
    }

    /** The index of a running member that is not the leader. */
    int aFollower(int leader) {
        for (int i = 0; i < logs.length; i++) {
            if (i != leader && logs[i] != null) {
                return i;
            }
        }
        throw new IllegalStateException("no running follower");
    }

    /** Waits until every running member's baseline equals {@code expected}. */
    void awaitAllAt(BaselineState expected) {
        Await.until("every running member is at epoch " + expected.epoch(), () -> {
            for (RaftOwnershipLog l : logs) {
                if (l != null && !l.current().equals(expected)) {
                    return false;
                }
            }
            return true;
        }, WAIT, this::describe);
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < logs.length; i++) {
            RaftOwnershipLog l = logs[i];
            sb.append(ids.get(i)).append('=').append(l == null ? "stopped" : l.toString()).append(' ');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (int i = 0; i < logs.length; i++) {
            if (logs[i] != null) {
                stop(i);
            }
        }
    }
}
