package io.mnemo.node.storage.suite;

import io.mnemo.node.storage.StorageConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test a {@link Stores} factory and, after the test, checks {@link StoreInvariants} on every store the
 * test opened (if the test passed: a failed test's store is already suspect and its failure is the story),
 * then closes the stores and deletes their directories whatever happened.
 */
final class StoreInvariantsExtension implements ParameterResolver, AfterEachCallback {
    private static final Duration CLOSE_DEADLINE = Duration.ofSeconds(10);
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(StoreInvariantsExtension.class);

    /** Opens stores for one test; the extension checks and closes them after it. */
    static final class Stores {
        private final List<SuiteStore> opened = new ArrayList<>();
        private final String testName;

        Stores(String testName) {
            this.testName = testName;
        }

        SuiteStore open(int dimension) {
            return track(SuiteStore.open(testName, dimension));
        }

        SuiteStore open(int dimension, Function<Path, StorageConfig> configFor) {
            return track(SuiteStore.open(testName, dimension, configFor));
        }

        private synchronized SuiteStore track(SuiteStore s) {
            opened.add(s);
            return s;
        }
    }

    /**
     * Closes {@code s} on a helper thread and waits at most {@code deadline}: a store wedged by the failure
     * under test (an operation stuck inside Chronicle Map holds the lifecycle lock) must not hang the run. A
     * close that does not return is reported and its thread and directory are left behind.
     */
    private static void closeWithin(SuiteStore s, Duration deadline) {
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread closer = new Thread(() -> {
            try {
                s.close();
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "suite-store-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(deadline.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            throw new AssertionError("close() did not return within " + deadline + "\n" + Workers.threadDump());
        }
        if (failed.get() != null) {
            throw new AssertionError("close() failed: " + failed.get(), failed.get());
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == Stores.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        String name = extensionContext.getRequiredTestMethod().getName();
        return extensionContext.getStore(NS).getOrComputeIfAbsent(Stores.class,
                k -> new Stores(name.length() > 40 ? name.substring(0, 40) : name), Stores.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Stores stores = context.getStore(NS).remove(Stores.class, Stores.class);
        if (stores == null) {
            return;
        }
        AssertionError failure = null;
        try {
            if (context.getExecutionException().isEmpty()) {
                for (SuiteStore s : stores.opened) {
                    StoreInvariants.check(s);
                }
            }
        } catch (AssertionError e) {
            failure = new AssertionError("store invariant broken after " + context.getDisplayName() + ": " + e.getMessage(), e);
        } finally {
            for (SuiteStore s : stores.opened) {
                try {
                    closeWithin(s, CLOSE_DEADLINE);
                } catch (RuntimeException | AssertionError e) {
                    if (failure == null) {
                        failure = new AssertionError("closing the store failed after " + context.getDisplayName(), e);
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
