package io.mnemo.client.example;

import io.mnemo.client.CallOptions;
import io.mnemo.client.Consistency;
import io.mnemo.client.CueResult;
import io.mnemo.client.Memory;
import io.mnemo.client.MnemoClient;
import io.mnemo.client.MnemoException;
import io.mnemo.client.NotFoundException;
import io.mnemo.client.ScanOptions;
import io.mnemo.client.SpaceInfo;
import io.mnemo.client.StoreResult;
import io.mnemo.client.Version;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A first program against a running cluster: create a space, store, recall, batch, scan and recall by cue.
 *
 * <p>From the project root, start a local cluster in one terminal (it prints each node's gRPC endpoint; node
 * {@code i} listens on base port + i, 17401 to 17403 by default) and run this in another:
 *
 * <pre>
 * node/src/main/dist/bin/mnemo local-cluster --nodes 3 --data-dir /tmp/mnemo-quickstart
 * ./mvnw -q -pl client -am -DskipTests package dependency:build-classpath \
 *     -Dmdep.outputFile=$PWD/client/target/classpath.txt -Dmdep.includeScope=runtime
 * java -cp "client/target/classes:$(cat client/target/classpath.txt)" \
 *     io.mnemo.client.example.QuickStart 127.0.0.1:17401 127.0.0.1:17402
 * </pre>
 *
 * The arguments are seed endpoints ({@code host:port}); with none it uses {@code 127.0.0.1:17401}. Run it again
 * and it finds the space already there.
 */
public final class QuickStart {
    private static final int DIMENSION = 8;

    private QuickStart() {
    }

    public static void main(String[] args) {
        String[] seeds = args.length > 0 ? args : new String[] {"127.0.0.1:17401"};
        try (MnemoClient client = MnemoClient.builder()
                .seeds(seeds)
                .defaultSpace("quickstart")
                .requestTimeout(Duration.ofSeconds(3))
                .build()) {
            System.out.println("connected at topology epoch " + client.topologyEpoch());
            if (client.listSpaces().stream().noneMatch(s -> s.name().equals("quickstart"))) {
                client.createSpace(new SpaceInfo("quickstart", DIMENSION, 0, 0));
            }

            Memory first = Memory.builder().id("first").content("met Ada at the station")
                    .embedding(vector(1)).confidence(0.9f).build();
            System.out.println("stored with version " + storeOnceSpaceIsEverywhere(client, first));

            Optional<Memory> back = client.recall("quickstart", "first", CallOptions.defaults()
                    .withConsistency(Consistency.QUORUM).withHedgeDelay(Duration.ofMillis(20)));
            System.out.println("recalled: " + back.flatMap(Memory::content).orElse("(missing)"));

            List<Memory> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                batch.add(Memory.builder().id("m-" + i).content("memory " + i).embedding(vector(i)).confidence(0.5f)
                        .build());
            }
            long stored = client.storeAll(batch).stream().filter(StoreResult::isStored).count();
            System.out.println("batch: " + stored + " of " + batch.size() + " stored");

            try (Stream<Memory> all = client.scan("quickstart", ScanOptions.defaults().withoutEmbeddings())) {
                System.out.println("scan: " + all.count() + " memories");
            }

            try {
                CueResult similar = client.recallByCue(vector(1), 3, 0.0f);
                System.out.println("recall by cue:");
                similar.hits().forEach(h -> System.out.printf("  %.3f %s%n", h.similarity(), h.memory().id()));
            } catch (MnemoException e) {
                // Nodes do not serve recall by cue yet (the cluster-wide search job is not assembled): say so, go on.
                System.out.println("recall by cue: not available on this cluster (" + e.getMessage() + ")");
            }
            System.out.println("done");
        } catch (MnemoException e) {
            System.err.println("Mnemo said: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Stores the first memory of a new space. Every node learns of a new space from the cluster's ownership log a
     * moment after {@code createSpace} returns; until then a node answers "no space", so this retries that answer
     * (only that one) for a few seconds.
     */
    private static Version storeOnceSpaceIsEverywhere(MnemoClient client, Memory memory) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return client.store(memory);
            } catch (NotFoundException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
        }
    }

    private static float[] vector(int seed) {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) Math.sin(seed * 31 + i);
        }
        return v;
    }
}
