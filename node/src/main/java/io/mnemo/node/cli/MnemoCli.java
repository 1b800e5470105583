package io.mnemo.node.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.mnemo.node.config.ConfigException;
import io.mnemo.node.config.ConfigLoader;
import io.mnemo.node.config.NodeConfig;
import io.mnemo.node.server.MnemoNode;
import io.mnemo.protocol.v1.ListSpacesRequest;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.StatsRequest;
import io.mnemo.protocol.v1.StatsResponse;
import io.mnemo.protocol.v1.Topology;
import io.mnemo.protocol.v1.TopologyRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The {@code mnemo} command: run a node, a local cluster, the demo, or administer a node. */
@Command(name = "mnemo", mixinStandardHelpOptions = true, version = "mnemo 0.1.0-SNAPSHOT",
        description = "Mnemo, a distributed store for episodic memories.",
        subcommands = {MnemoCli.NodeCommand.class, MnemoCli.LocalClusterCommand.class, DemoCommand.class,
                MnemoCli.AdminCommand.class, MnemoCli.ClassArchiveCommand.class})
public final class MnemoCli implements Runnable {
    @Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MnemoCli()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The project root holding {@code config/}: {@code -Dmnemo.home}, else the working directory. */
    static Path home() {
        return Path.of(System.getProperty("mnemo.home", ".")).toAbsolutePath().normalize();
    }

    /** Runs one node until SIGTERM or Ctrl-C, then drains it. */
    @Command(name = "node", description = "Run a node until SIGTERM (which drains it).")
    static final class NodeCommand implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (key = value lines); "
                + "MNEMO_* environment variables and -Dmnemo.* system properties override it.")
        private Path config;

        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            NodeConfig nc;
            try {
                nc = ConfigLoader.forProcess(config).load();
            } catch (ConfigException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 2;
            }
            MnemoNode node;
            try {
                node = MnemoNode.start(nc);
            } catch (ConfigException e) {
                spec.commandLine().getErr().println(e.getMessage());
                spec.commandLine().getErr().flush();
                return 2;
            } catch (IllegalStateException | java.io.IOException e) {
                spec.commandLine().getErr().println("mnemo node: cannot start: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                node.close();
                stopped.countDown();
            }, "mnemo-shutdown"));
            spec.commandLine().getOut().printf("node %d started (%s): grpc %s:%d, readiness http://%s:%d/ready%n",
                    node.nodeId(), node.isReady() ? "ready" : "joining", nc.bindHost(), node.grpcPort(), nc.bindHost(),
                    node.metricsPort());
            spec.commandLine().getOut().flush();
            stopped.await();
            return 0;
        }
    }

    /**
     * Prints the class-data archive of node processes launched like this command (its class path, the project's JVM
     * option files and {@code MNEMO_NODE_JAVA_OPTS}), making it first if there is none (see {@link NodeClassArchive}).
     */
    @Command(name = "class-archive", description = "Print the class-data archive node processes start from (made "
            + "first by a short two-node training run if there is none), for -XX:SharedArchiveFile.")
    static final class ClassArchiveCommand implements Callable<Integer> {
        @Option(names = "--existing", description = "Only print an archive that already exists; exit 1 if there is none.")
        private boolean existing;

        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<String> messages = new ArrayList<>();
            String classPath = System.getProperty("java.class.path");
            List<String> flags = LocalCluster.nodeFlags(home());
            Optional<Path> archive = existing
                    ? NodeClassArchive.existing(NodeClassArchive.defaultDirectory(), flags, classPath)
                    : NodeClassArchive.obtain(NodeClassArchive.defaultDirectory(), home(), flags, classPath, messages::add);
            messages.forEach(spec.commandLine().getErr()::println);
            spec.commandLine().getErr().flush();
            archive.ifPresent(spec.commandLine().getOut()::println);
            spec.commandLine().getOut().flush();
            return archive.isPresent() ? 0 : 1;
        }
    }

    /** Starts N node processes on loopback and keeps them until Ctrl-C. */
    @Command(name = "local-cluster", description = "Start N node processes on loopback; Ctrl-C stops them.")
    static final class LocalClusterCommand implements Callable<Integer> {
        @Option(names = "--nodes", defaultValue = "3", description = "Number of nodes (default ${DEFAULT-VALUE}).")
        private int nodes;

        @Option(names = "--base-port", defaultValue = "17400", description = "Node i uses gRPC base+i, metrics "
                + "base+100+i, Raft base+200+i, discovery base+300+i, Ignite communication base+400+i (default "
                + "${DEFAULT-VALUE}).")
        private int basePort;

        @Option(names = "--data-dir", defaultValue = "mnemo-local", description = "Parent of the nodes' data "
                + "directories (default ${DEFAULT-VALUE}).")
        private Path dataDir;

        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            LocalCluster cluster = new LocalCluster(home(), dataDir, basePort, nodes);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                cluster.close();
                stopped.countDown();
            }, "mnemo-local-cluster-stop"));
            try {
                cluster.startAll(Duration.ofSeconds(60));
            } catch (IllegalStateException e) {
                spec.commandLine().getErr().println("local cluster failed to start: " + e.getMessage());
                cluster.close();
                return 1;
            }
            for (int i = 1; i <= nodes; i++) {
                out.printf("node %d: grpc %s  health http://127.0.0.1:%d/ready  log %s%n", i, cluster.endpoint(i),
                        cluster.metricsPort(i), cluster.logOf(i));
            }
            out.println("all " + nodes + " nodes ready; Ctrl-C stops them");
            out.flush();
            stopped.await();
            return 0;
        }
    }

    /**
     * Administers a running node over its gRPC port. Exit codes: 0 done; 1 refused (the change conflicts with the
     * baseline, or the node runs a one-node cluster); 2 bad usage; 3 not done now but retryable (no Raft quorum, node
     * unreachable, deadline).
     */
    @Command(name = "admin", description = {"Show or change a node's cluster membership.",
        "Exit codes: 0 done, 1 refused, 2 bad usage, 3 retryable failure (no quorum, node unreachable)."})
    static final class AdminCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ACTION", description = "show, add, drain or remove")
        private String action;

        @Parameters(index = "1", arity = "0..1", paramLabel = "NODE_ID", description = "node to add, drain or remove")
        private Integer target;

        @Option(names = "--node", defaultValue = "127.0.0.1:7400", description = "gRPC endpoint of the node to ask "
                + "(default ${DEFAULT-VALUE}).")
        private String endpoint;

        @Option(names = "--endpoint", paramLabel = "HOST:PORT", description = "add: the new member's gRPC endpoint.")
        private String memberEndpoint;

        @Option(names = "--weight", defaultValue = "1", description = "add: placement weight (default "
                + "${DEFAULT-VALUE}).")
        private int weight;

        @Option(names = "--zone", defaultValue = "", description = "add: failure zone (default none).")
        private String zone;

        @CommandLine.Mixin
        private TlsOptions tls = new TlsOptions();

        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                tls.check();
            } catch (IllegalArgumentException e) {
                err.println("admin " + action + ": " + e.getMessage());
                return AdminCall.USAGE;
            }
            switch (action) {
                case "show":
                    return show(out);
                case "add":
                case "drain":
                case "remove":
                    if (target == null || target < 0) {
                        err.println("admin " + action + " needs the NODE_ID of the member to " + action);
                        return AdminCall.USAGE;
                    }
                    if (action.equals("add") && (memberEndpoint == null || memberEndpoint.isBlank())) {
                        err.println("admin add needs --endpoint HOST:PORT, the new member's gRPC endpoint");
                        return AdminCall.USAGE;
                    }
                    return new AdminCall(endpoint, tls, out, err).change(action, target, memberEndpoint, weight, zone);
                default:
                    err.println("unknown action '" + action + "': use show, add, drain or remove");
                    return AdminCall.USAGE;
            }
        }

        private int show(PrintWriter out) throws InterruptedException {
            ManagedChannel channel = tls.open(endpoint);
            try {
                var stub = MnemoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
                Topology t = stub.topology(TopologyRequest.getDefaultInstance()).getTopology();
                out.printf("epoch %d, %d partitions, RF %d, hash %s%n", t.getEpoch(), t.getPartitionCount(),
                        t.getReplicationFactor(), t.getPartitionFunction());
                TopologyReport.lines(t).forEach(out::println);
                stub.listSpaces(ListSpacesRequest.getDefaultInstance()).getSpacesList().forEach(s -> out.printf(
                        "  space %s  dimension %d  max content %d bytes%n", s.getName(), s.getDimension(),
                        s.getMaxContentBytes()));
                StatsResponse st = stub.stats(StatsRequest.getDefaultInstance());
                out.printf("  node %d: live %d bytes, files %d bytes, fragmentation %.3f, hot %d/%d bytes%n",
                        st.getNodeId(), st.getLiveBytes(), st.getFileBytes(), st.getFragmentation(), st.getHotBytes(),
                        st.getHotMaxBytes());
                return 0;
            } catch (StatusRuntimeException e) {
                spec.commandLine().getErr().printf("admin show: %s from %s%s%n", e.getStatus(), endpoint,
                        e.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED
                                ? "; give --token-file (and --trust-certs for TLS), or --cert/--key" : "");
                spec.commandLine().getErr().flush();
                return e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE ? AdminCall.RETRYABLE : AdminCall.REFUSED;
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
