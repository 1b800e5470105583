package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.node.cli.LocalCluster;
import io.mnemo.node.cli.MnemoCli;
import io.mnemo.node.security.TestCertificates;
import io.mnemo.protocol.v1.ListSpacesRequest;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.Topology;
import io.mnemo.protocol.v1.TopologyRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * What the real-cluster tests ask a {@link LocalCluster} directly, around the client: raw stubs (plaintext or TLS),
 * the nodes' Prometheus counters, the {@code mnemo admin} command run in this JVM, and waiting on a condition.
 */
final class ClusterProbe {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final LocalCluster cluster;
    private final ChannelCredentials credentials;
    private final List<String> adminTlsArgs;

    /** A probe over plaintext. */
    ClusterProbe(LocalCluster cluster) {
        this(cluster, InsecureChannelCredentials.create(), List.of());
    }

    /** A probe with {@code credentials} for stubs and {@code adminTlsArgs} for {@code mnemo admin}. */
    ClusterProbe(LocalCluster cluster, ChannelCredentials credentials, List<String> adminTlsArgs) {
        this.cluster = cluster;
        this.credentials = credentials;
        this.adminTlsArgs = List.copyOf(adminTlsArgs);
    }

    /** TLS credentials trusting {@code pki}'s CA and presenting its certificate. */
    static ChannelCredentials tls(TestCertificates pki) {
        try {
            return TlsChannelCredentials.newBuilder().trustManager(pki.caCert().toFile())
                    .keyManager(pki.certChain().toFile(), pki.key().toFile()).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Calls one node through a short-lived raw stub; a refused call (node not ready yet) is empty. */
    <T> Optional<T> withStub(int node, Function<MnemoServiceGrpc.MnemoServiceBlockingStub, T> f) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", cluster.grpcPort(node), credentials).build();
        try {
            return Optional.of(f.apply(MnemoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)));
        } catch (StatusRuntimeException notYet) {
            return Optional.empty();
        } finally {
            channel.shutdownNow();
        }
    }

    /** The topology node {@code node} routes by, if it answers. */
    Optional<Topology> topology(int node) {
        return withStub(node, s -> s.topology(TopologyRequest.getDefaultInstance()))
                .filter(r -> r.hasTopology()).map(r -> r.getTopology());
    }

    /** Waits until node {@code node} lists {@code space}. */
    void awaitSpace(int node, String space, Duration timeout) {
        await(timeout, () -> withStub(node, s -> s.listSpaces(ListSpacesRequest.getDefaultInstance())
                .getSpacesList().stream().anyMatch(x -> x.getName().equals(space))).orElse(false));
    }

    /** {@code mnemo admin ARGS --node <node's endpoint>} plus the TLS options, in this JVM; exit code and output. */
    AdminResult admin(int node, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new MnemoCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new java.util.ArrayList<>();
        all.add("admin");
        all.addAll(List.of(args));
        all.add("--node");
        all.add(cluster.endpoint(node));
        all.addAll(adminTlsArgs);
        int code = cli.execute(all.toArray(new String[0]));
        return new AdminResult(code, out.toString(), err.toString());
    }

    /** Exit code and output of one {@code mnemo admin} run. */
    record AdminResult(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n" + out + err;
        }
    }

    /** Runs {@code mnemo admin ARGS} until it exits 0, repeating it while it exits 3 (retryable). */
    AdminResult adminUntilDone(Duration timeout, int node, String... args) {
        AdminResult[] last = new AdminResult[1];
        await(timeout, () -> {
            last[0] = admin(node, args);
            System.out.println("mnemo admin " + String.join(" ", args) + ": " + last[0]);
            assertThat(last[0].exitCode()).as("mnemo admin %s: %s", String.join(" ", args), last[0]).isIn(0, 3);
            return last[0].exitCode() == 0;
        });
        return last[0];
    }

    /** Per node in {@code nodes}: {coordinated, wrong owner} client-call counters, summed. */
    long[] clientCounters(List<Integer> nodes) {
        long[] sum = new long[2];
        for (int n : nodes) {
            String text = scrape(n);
            sum[0] += (long) metric(text, "mnemo_client_ops_coordinated_total");
            sum[1] += (long) metric(text, "mnemo_client_ops_wrong_owner_total");
        }
        return sum;
    }

    String scrape(int node) {
        HttpResponse<String> r;
        try {
            r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.metricsPort(node) + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("scraping node " + node, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scraping node " + node, e);
        }
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The sample of an unlabelled (or single-series) metric in Prometheus text format. */
    static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("metric " + name + " not exported; /metrics has:\n" + text);
    }

    /** Waits for {@code condition}, checking every 100 ms, and fails when {@code timeout} passes first. */
    static void await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)).join();
        }
    }
}
