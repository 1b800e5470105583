package io.mnemo.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DataSizeTest {

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource(delimiter = '=', value = {
        "4096 = 4096",
        "0 = 0",
        "1B = 1",
        "512k = 512000",
        "512kB = 512000",
        "256MB = 256000000",
        "256M = 256000000",
        "1GB = 1000000000",
        "2TB = 2000000000000",
        "1KiB = 1024",
        "256MiB = 268435456",
        "1GiB = 1073741824",
        "1gib = 1073741824",
        "1TiB = 1099511627776",
        "1.5KiB = 1536",
        "0.5k = 500",
        "'  2 MiB ' = 2097152",
    })
    void parse_validText_givesBytes(String text, long bytes) {
        assertThat(DataSize.parse(text).bytes()).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "   ", "abc", "-1MB", "1.5B", "0.3KiB", "10XB", "8EiB", "1e3", "MB", "1 2MB",
        "9223372036854775808", "9000000TiB"})
    void parse_invalidText_isRefusedNamingTheText(String text) {
        assertThatThrownBy(() -> DataSize.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> {
                    if (!text.isBlank()) {
                        assertThat(e.getMessage()).contains(text);
                    }
                });
    }

    @ParameterizedTest(name = "{0} bytes -> {1}")
    @CsvSource({
        "0, 0B",
        "1, 1B",
        "1000, 1kB",
        "1024, 1KiB",
        "1536, 1536B",
        "268435456, 256MiB",
        "256000000, 256MB",
        "1001, 1001B",
        "1024000, 1000KiB",
        "1073741824, 1GiB",
    })
    void toString_value_usesLargestExactUnit(long bytes, String expected) {
        assertThat(DataSize.ofBytes(bytes).toString()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, Long.MIN_VALUE})
    void ofBytes_negative_isRefused(long bytes) {
        assertThatThrownBy(() -> DataSize.ofBytes(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Long.toString(bytes));
    }
}
