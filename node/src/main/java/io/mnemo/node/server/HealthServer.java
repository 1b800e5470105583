package io.mnemo.node.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The node's operations endpoint on the metrics port: {@code /health} (200 while the process runs: liveness),
 * {@code /ready} (200 while the node admits client calls, 503 while starting or draining: readiness) and
 * {@code /metrics} (Prometheus text format, from {@code scrape}, called once per request). One daemon thread
 * serves it; answers are tiny.
 */
final class HealthServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    HealthServer(InetSocketAddress address, BooleanSupplier ready, Supplier<String> scrape) throws IOException {
        this.server = HttpServer.create(address, 16);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mnemo-health-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/health", ex -> respond(ex, 200, "text/plain", "ok\n"));
        server.createContext("/ready", ex -> {
            boolean r = ready.getAsBoolean();
            respond(ex, r ? 200 : 503, "text/plain", r ? "ready\n" : "not ready\n");
        });
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                scrape.get()));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", type);
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(code, -1);
                return;
            }
            ex.sendResponseHeaders(code, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
