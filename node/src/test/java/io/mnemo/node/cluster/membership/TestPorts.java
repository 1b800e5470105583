package io.mnemo.node.cluster.membership;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Random;

/**
 * Picks a block of free loopback ports for one test cluster. Other engineers' tests run on the same
 * machine at the same time (Ignite's defaults are 47100 and 47500), so blocks come from a random high
 * range and every port of a block is checked free; a seed printed with each block replays the choice.
 */
final class TestPorts {
    /** A block: discovery ports {@code [discovery, discovery + RANGE]}, communication likewise. */
    record Block(int discovery, int communication) {
        static final int RANGE = 5;

        String seed() {
            return "127.0.0.1:" + discovery + ".." + (discovery + RANGE);
        }
    }

    private static final int BLOCK = 2 * (Block.RANGE + 1);
    private static final int LOW = 21_000;
    private static final int HIGH = 59_000;

    private TestPorts() {
    }

    static Block allocate() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = LOW + random.nextInt((HIGH - LOW) / BLOCK) * BLOCK;
            if (allFree(base, BLOCK)) {
                System.out.printf("test ports: seed %d, block %d..%d%n", seed, base, base + BLOCK - 1);
                return new Block(base, base + Block.RANGE + 1);
            }
        }
        throw new IllegalStateException("no free block of " + BLOCK + " loopback ports after 100 tries (seed " + seed + ")");
    }

    private static boolean allFree(int base, int count) {
        for (int port = base; port < base + count; port++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
