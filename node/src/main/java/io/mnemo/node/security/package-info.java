/**
 * TLS and token authentication of a node's gRPC server and of its calls to peers: the PEM material named by the
 * {@code mnemo.tls.*} and {@code mnemo.auth.*} settings, checked once at start ({@link NodeSecurity#from}), the
 * server's credentials, the interceptor that checks callers ({@link AuthInterceptor}), and the channels to peers.
 */
package io.mnemo.node.security;
