package io.mnemo.client.example;

import io.mnemo.client.CallOptions;
import io.mnemo.client.Consistency;
import io.mnemo.client.CueResult;
import io.mnemo.client.Memory;
import io.mnemo.client.MnemoClient;
import io.mnemo.client.MnemoException;
import io.mnemo.client.ScanOptions;
import io.mnemo.client.SpaceInfo;
import io.mnemo.client.StoreResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A first program against a running cluster: create a space, store, recall, batch, scan and recall by cue.
 *
 * <pre>
 * mnemo local-cluster --nodes 3          # in another terminal
 * java -cp "client/target/mnemo-client-0.1.0-SNAPSHOT.jar:$(cat client-classpath.txt)" \
 *     io.mnemo.client.example.QuickStart 127.0.0.1:7400 127.0.0.1:7401
 * </pre>
 *
 * The arguments are seed endpoints ({@code host:port}); with none it uses {@code 127.0.0.1:7400}.
 */
public final class QuickStart {
    private static final int DIMENSION = 8;

    private QuickStart() {
    }

    public static void main(String[] args) {
        String[] seeds = args.length > 0 ? args : new String[] {"127.0.0.1:7400"};
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
            System.out.println("stored with version " + client.store(first));

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

            CueResult similar = client.recallByCue(vector(1), 3, 0.0f);
            similar.hits().forEach(h -> System.out.printf("  %.3f %s%n", h.similarity(), h.memory().id()));
        } catch (MnemoException e) {
            System.err.println("Mnemo said: " + e.getMessage());
            System.exit(1);
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
