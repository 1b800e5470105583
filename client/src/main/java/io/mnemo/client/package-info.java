/**
 * The Mnemo Java client: {@link io.mnemo.client.MnemoClient}, built with {@link io.mnemo.client.MnemoClient#builder()},
 * its model ({@link io.mnemo.client.Memory}, {@link io.mnemo.client.Version}, {@link io.mnemo.client.CallOptions},
 * ...) and its errors, rooted at {@link io.mnemo.client.MnemoException}. This is the only package of the module
 * applications use; {@code io.mnemo.client.internal} is not exported.
 *
 * <pre>{@code
 * try (MnemoClient client = MnemoClient.builder().seeds("127.0.0.1:7400").defaultSpace("demo").build()) {
 *     client.store(Memory.builder().id("m-1").content("hello").build());
 *     System.out.println(client.recall("m-1").flatMap(Memory::content).orElse("(none)"));
 * }
 * }</pre>
 */
package io.mnemo.client;
