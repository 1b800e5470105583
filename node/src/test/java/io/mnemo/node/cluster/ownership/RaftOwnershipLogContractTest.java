package io.mnemo.node.cluster.ownership;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The contract against a real Raft group of one member on 127.0.0.1 (the three-member cases are in the cluster test). */
class RaftOwnershipLogContractTest extends OwnershipLogContract {
    @TempDir
    Path dir;

    private RaftTestCluster cluster;

    @Override
    OwnershipLog open() throws Exception {
        cluster = new RaftTestCluster(1, dir).startAll();
        cluster.awaitLeader();
        return cluster.log(0);
    }

    @Override
    void cleanUp() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
