package io.mnemo.node.cluster.membership;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Jobs the tests send; named classes, since peer class loading is off and jobs must be on the classpath. */
final class TestJobs {
    private TestJobs() {
    }

    /** A node-local service the tests register, so that jobs prove they reach the node they run on. */
    record Greeting(String text) {
    }

    /** Returns {@code nodeId + ":" + greeting}, read from the running node's services. */
    static final class Greet implements ClusterJob<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String run(NodeContext context) {
            return context.nodeId() + ":" + context.service(Greeting.class).text();
        }
    }

    /** Throws on the nodes whose id starts with {@code prefix}; answers the node id elsewhere. */
    static final class FailOn implements ClusterJob<String> {
        private static final long serialVersionUID = 1L;
        private final String prefix;

        FailOn(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public String run(NodeContext context) {
            if (context.nodeId().startsWith(prefix)) {
                throw new IllegalArgumentException("refused on " + context.nodeId());
            }
            return context.nodeId();
        }
    }

    /** Waits on the node's {@link CountDownLatch} service (at most 30 s), then answers. */
    static final class WaitForLatch implements ClusterJob<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String run(NodeContext context) throws InterruptedException {
            boolean released = context.service(CountDownLatch.class).await(30, TimeUnit.SECONDS);
            return context.nodeId() + (released ? ":released" : ":gave-up");
        }
    }

    /** Prints {@code JOB_STARTED} on the running node's stdout, then waits like {@link WaitForLatch}. */
    static final class AnnounceThenWait implements ClusterJob<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String run(NodeContext context) throws InterruptedException {
            System.out.println("JOB_STARTED " + context.nodeId());
            System.out.flush();
            return new WaitForLatch().run(context);
        }
    }

    /** Echoes its argument: the smallest useful remote call, for latency figures. */
    static final class Echo implements ClusterJob<Long> {
        private static final long serialVersionUID = 1L;
        private final long value;

        Echo(long value) {
            this.value = value;
        }

        @Override
        public Long run(NodeContext context) {
            return value;
        }
    }
}
