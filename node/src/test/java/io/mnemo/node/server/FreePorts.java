package io.mnemo.node.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Picks ports for tests from a random high range, each checked free by binding it on 127.0.0.1 first. The seed
 * is printed so a run that hit a port clash can be replayed.
 */
final class FreePorts {
    private static final int LOW = 20_000;
    /** Below the kernel's ephemeral range, which outgoing connections draw from (see LocalCluster#findFreeBasePort). */
    private static final int HIGH = Math.max(LOW + 1_000, io.mnemo.node.cli.LocalCluster.ephemeralPortsFrom());
    private final Random random;
    private final Set<Integer> given = new HashSet<>();

    private FreePorts(long seed) {
        this.random = new Random(seed);
    }

    static FreePorts withRandomSeed() {
        long seed = System.nanoTime();
        System.out.println("FreePorts seed " + seed);
        return new FreePorts(seed);
    }

    /** A port that was free on 127.0.0.1 a moment ago and was not handed out before by this instance. */
    int next() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = LOW + random.nextInt(HIGH - LOW);
            if (given.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException taken) {
                continue;
            }
            given.add(port);
            return port;
        }
        throw new IllegalStateException("no free port found in [" + LOW + ", " + HIGH + ") after 200 attempts");
    }
}
