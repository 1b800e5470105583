package io.mnemo.node.cluster.membership;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A membership node in its own JVM, for tests that kill a process. Arguments: node id, discovery port,
 * communication port, work directory. Prints {@code READY <id>} once joined, then runs until its standard
 * input closes (or it is killed).
 */
public final class ChildNode {
    private ChildNode() {
    }

    public static void main(String[] args) throws IOException {
        TestPorts.Block ports = new TestPorts.Block(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        LocalServices services = new LocalServices()
                .register(TestJobs.Greeting.class, new TestJobs.Greeting("child " + args[0]))
                .register(CountDownLatch.class, new CountDownLatch(1));
        try (IgniteMembership membership = TestNodes.start(args[0], ports, Path.of(args[3]), services)) {
            System.out.println("READY " + membership.localMember().nodeId());
            System.out.flush();
            InputStream in = System.in;
            while (in.read() >= 0) {
                continue;
            }
        }
        System.exit(0);
    }
}
