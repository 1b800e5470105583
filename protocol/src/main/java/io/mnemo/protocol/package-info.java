/**
 * Mnemo's wire contract. The generated messages and service stubs live in {@code io.mnemo.protocol.v1}
 * (from {@code src/main/proto/mnemo/v1}); this package adds {@link io.mnemo.protocol.Errors}, which carries
 * a typed {@link io.mnemo.protocol.v1.ErrorDetail} in the trailers of a failed call and reads it back.
 * Everything in both packages is API: clients, nodes and the chaos harness all speak it.
 */
package io.mnemo.protocol;
