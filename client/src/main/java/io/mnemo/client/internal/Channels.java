package io.mnemo.client.internal;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.mnemo.client.ClientClosedException;
import io.mnemo.client.TlsException;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per endpoint, opened on first use and shared by every call to that endpoint (a channel
 * multiplexes calls over one HTTP/2 connection and reconnects by itself). Thread-safe.
 *
 * <p>Invariant: after {@link #close()} no channel is handed out, and every channel ever created is shut down.
 */
public final class Channels implements AutoCloseable {
    /** Metadata key of the bearer token. */
    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Settings settings;
    private final ChannelCredentials credentials;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    /**
     * A stub per channel: stubs are immutable, so calls share one and derive per-call options from it. An entry is
     * used only while its channel is the endpoint's current one, so a stub never outlives a replaced channel.
     */
    private final Map<String, CachedStub> stubs = new ConcurrentHashMap<>();

    private record CachedStub(Channel channel, MnemoServiceGrpc.MnemoServiceStub stub) {
    }
    private volatile boolean closed;

    /**
     * Prepares the credentials (reads the trust file once).
     *
     * @throws TlsException if the trust file (or the client certificate or key) cannot be read
     */
    public Channels(Settings settings) {
        this.settings = settings;
        if (settings.trustCertFile() == null) {
            this.credentials = InsecureChannelCredentials.create();
        } else {
            try {
                TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder()
                        .trustManager(settings.trustCertFile().toFile());
                if (settings.clientCertChain() != null) {
                    b.keyManager(settings.clientCertChain().toFile(), settings.clientKey().toFile());
                }
                this.credentials = b.build();
            } catch (IOException | RuntimeException e) {
                throw new TlsException("cannot read the TLS files (trust " + settings.trustCertFile()
                        + (settings.clientCertChain() == null ? "" : ", client certificate " + settings.clientCertChain()
                        + ", key " + settings.clientKey()) + "): " + e + "; give readable PEM files (CA certificates; "
                        + "a certificate chain and its unencrypted PKCS#8 key)", "", e);
            }
        }
    }

    /** The channel to {@code endpoint}, opened if needed. */
    public Channel get(String endpoint) {
        if (closed) {
            throw new ClientClosedException("call to " + endpoint);
        }
        ManagedChannel c = channels.computeIfAbsent(endpoint, this::open);
        if (closed) {
            c.shutdownNow();
            throw new ClientClosedException("call to " + endpoint);
        }
        return c;
    }

    /** The async stub of the channel to {@code endpoint}, opened if needed. */
    public MnemoServiceGrpc.MnemoServiceStub stub(String endpoint) {
        Channel c = get(endpoint);
        CachedStub s = stubs.get(endpoint);
        if (s == null || s.channel != c) {
            s = new CachedStub(c, MnemoServiceGrpc.newStub(c));
            stubs.put(endpoint, s);
        }
        return s.stub;
    }

    private ManagedChannel open(String endpoint) {
        HostPort hp = HostPort.parse(endpoint);
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(hp.host(), hp.port(), credentials)
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        settings.connectTimeout().toMillis()))
                .maxInboundMessageSize(settings.maxInboundMessageBytes())
                .userAgent("mnemo-client");
        if (settings.executor() != null) {
            b.executor(settings.executor());
        }
        if (settings.bearerToken() != null) {
            b.intercept(new BearerToken("Bearer " + settings.bearerToken()));
        }
        return b.build();
    }

    /** Shuts down the channels of endpoints not in {@code keep}; calls in flight on them finish first. */
    public void retainOnly(Set<String> keep) {
        for (String endpoint : new ArrayList<>(channels.keySet())) {
            if (!keep.contains(endpoint)) {
                stubs.remove(endpoint);
                ManagedChannel c = channels.remove(endpoint);
                if (c != null) {
                    c.shutdown();
                }
            }
        }
    }

    /** Shuts every channel down, cancelling calls in flight, and waits up to {@code waitMs} for them to stop. */
    public void close(long waitMs) {
        closed = true;
        List<ManagedChannel> all = new ArrayList<>(channels.values());
        channels.clear();
        stubs.clear();
        all.forEach(ManagedChannel::shutdownNow);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        try {
            for (ManagedChannel c : all) {
                c.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(1_000);
    }

    /** Adds the bearer token to every call's headers. */
    private static final class BearerToken implements ClientInterceptor {
        private final String value;

        BearerToken(String value) {
            this.value = value;
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    headers.put(AUTHORIZATION, value);
                    super.start(listener, headers);
                }
            };
        }
    }
}
