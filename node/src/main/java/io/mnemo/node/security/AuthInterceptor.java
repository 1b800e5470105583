package io.mnemo.node.security;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Admits a call when it carries the configured bearer token or arrives over a TLS connection whose client
 * certificate the server verified; otherwise closes it with UNAUTHENTICATED and a message that says what to send.
 * With {@code required} false every call passes. Stateless and thread-safe; the token is compared in constant time.
 */
final class AuthInterceptor implements ServerInterceptor {
    private static final String BEARER = "Bearer ";

    private final byte[] token;
    private final boolean acceptCertificates;
    private final boolean required;

    /**
     * @param token              the accepted token, or null when none is configured
     * @param acceptCertificates whether a verified client certificate authenticates a caller
     * @param required           whether calls must authenticate at all
     */
    AuthInterceptor(String token, boolean acceptCertificates, boolean required) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.US_ASCII);
        this.acceptCertificates = acceptCertificates;
        this.required = required;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        if (!required || (acceptCertificates && hasVerifiedCertificate(call))) {
            return next.startCall(call, headers);
        }
        String header = headers.get(NodeSecurity.AUTHORIZATION);
        String problem;
        if (header == null) {
            problem = "no credentials: send the header 'authorization: Bearer TOKEN' (the client's bearerToken)"
                    + (acceptCertificates ? " or connect with a client certificate signed by a CA the node trusts" : "");
        } else if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            problem = "the authorization header is not of the form 'Bearer TOKEN'";
        } else if (token == null) {
            problem = "this node accepts no token here: connect with a client certificate signed by a CA it trusts";
        } else if (!MessageDigest.isEqual(token, header.substring(BEARER.length()).strip()
                .getBytes(StandardCharsets.US_ASCII))) {
            problem = "the bearer token is not the one this node accepts (mnemo.auth.token-file): check the client's "
                    + "bearerToken";
        } else {
            return next.startCall(call, headers);
        }
        call.close(Status.UNAUTHENTICATED.withDescription(call.getMethodDescriptor().getFullMethodName()
                + " refused: " + problem), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    private static boolean hasVerifiedCertificate(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return false;
        }
        try {
            // The TLS layer verified any certificate the peer presented against the trusted CAs (or refused the
            // handshake), so presence here means verified.
            Certificate[] chain = session.getPeerCertificates();
            return chain != null && chain.length > 0;
        } catch (SSLPeerUnverifiedException none) {
            return false;
        }
    }
}
