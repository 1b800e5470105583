package io.mnemo.node.cluster.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.cluster.ownership.BaselineCommand.Init;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryOwnershipLogTest extends OwnershipLogContract {
    private InMemoryOwnershipLog fake;

    @Override
    OwnershipLog open() {
        fake = new InMemoryOwnershipLog();
        return fake;
    }

    @Test
    void propose_afterQuorumLost_failsRetryableUntilRestored() throws Exception {
        open();
        fake.loseQuorum(true);
        CompletableFuture<BaselineState> lost = fake.propose(new Init(8, 1));
        fake.loseQuorum(false);

        assertThatThrownBy(() -> lost.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(NoQuorumException.class);
        assertThat(fake.propose(new Init(8, 1)).get(5, TimeUnit.SECONDS).epoch()).isEqualTo(1);
        fake.close();
    }
}
