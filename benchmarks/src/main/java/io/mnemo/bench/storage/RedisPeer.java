package io.mnemo.bench.storage;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * A real {@code redis-server} process for the storage benchmark's Redis peer: started on a free port bound to
 * 127.0.0.1 only, with RDB snapshots off ({@code --save ''}) and the given persistence arguments, its working
 * directory and log in a temporary directory; {@link #close()} stops it and deletes the directory.
 */
public final class RedisPeer implements AutoCloseable {
    private final String name;
    private final Process process;
    private final int port;
    private final Path dir;
    private final List<String> command;
    private final String version;
    private final Thread shutdownHook;

    private RedisPeer(String name, Process process, int port, Path dir, List<String> command, String version) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.command = command;
        this.version = version;
        this.shutdownHook = new Thread(process::destroyForcibly, "redis-peer-stop-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The server binary, or null (after printing why) if it is not installed. */
    public static String binary() {
        String configured = System.getProperty("mnemo.bench.redisServer");
        if (configured != null) {
            return new File(configured).canExecute() ? configured : null;
        }
        String path = System.getenv("PATH");
        for (String d : path == null ? new String[0] : path.split(File.pathSeparator)) {
            File f = new File(d, "redis-server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    /** Starts a server, or returns null with a message if {@code redis-server} is not installed. */
    public static RedisPeer start(String name, String... persistence) throws IOException, InterruptedException {
        String bin = binary();
        if (bin == null) {
            System.out.println("redis-server not found (install the Debian package redis-server, or set "
                    + "-Dmnemo.bench.redisServer=PATH): the Redis peer '" + name + "' is skipped");
            return null;
        }
        int port = freePort();
        Path dir = Files.createTempDirectory("mnemo-bench-" + name + "-");
        List<String> cmd = new ArrayList<>(List.of(bin, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--dir", dir.toString(), "--daemonize", "no", "--protected-mode", "yes"));
        cmd.addAll(List.of(persistence));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                if ("PONG".equals(j.ping())) {
                    String info = j.info("server");
                    String version = info.lines().filter(l -> l.startsWith("redis_version:")).map(l -> l.substring(14).trim())
                            .findFirst().orElse("unknown");
                    System.out.println("started " + name + ": redis " + version + " pid " + p.pid() + " on 127.0.0.1:" + port);
                    return new RedisPeer(name, p, port, dir, cmd, version);
                }
            } catch (RuntimeException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    String log = Files.exists(dir.resolve("redis.log")) ? Files.readString(dir.resolve("redis.log")) : "";
                    BenchData.deleteTree(dir);
                    throw new IOException("redis-server " + name + " did not start on port " + port + ": " + e + "\n" + log, e);
                }
                Thread.sleep(50);
            }
        }
    }

    public static Map<String, Object> skipped() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "skipped");
        m.put("reason", "redis-server not installed (Debian package: redis-server)");
        return m;
    }

    public Map<String, Object> describe(String setup) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "measured");
        m.put("setup", setup + "; one Jedis connection over loopback, SET/GET of Mnemo's encoded record bytes");
        m.put("redisVersion", version);
        m.put("command", String.join(" ", command).replace(" --save  ", " --save '' "));
        return m;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping " + name, e);
        }
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
        System.out.println("stopped " + name + " (pid " + process.pid() + ", exit " + process.exitValue() + ")");
        BenchData.deleteTree(dir);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
