package io.mnemo.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MemoryValidatorTest {
    private static final SpaceConfig SPACE = SpaceConfig.builder("s1").dimension(4).maxContentBytes(10).build();

    private static Memory.Builder valid() {
        return Memory.builder("s1", "id").embedding(new float[] {1, 2, 3, 4}).content("ok");
    }

    private static void assertInvalid(Memory m, String field, String limitText) {
        assertThatThrownBy(() -> MemoryValidator.validate(m, SPACE))
                .isInstanceOfSatisfying(InvalidMemoryException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageContaining(limitText);
    }

    @Test
    void validate_validMemory_passes() {
        assertThatCode(() -> MemoryValidator.validate(valid().build(), SPACE)).doesNotThrowAnyException();
        assertThatCode(() -> MemoryValidator.validate(valid().content(null).build(), SPACE)).doesNotThrowAnyException();
        assertThatCode(() -> MemoryValidator.validate(valid().content("\u00e9\u00e9\u00e9\u00e9\u00e9").build(), SPACE))
                .doesNotThrowAnyException();
    }

    @Test
    void validate_emptyId_namesIdAndLimit() {
        assertInvalid(Memory.builder("s1", "").embedding(new float[4]).build(), "id", "1..256");
    }

    @Test
    void validate_idOf257Utf8Bytes_namesIdAndLimit() {
        String id = "\u00e9".repeat(128) + "x";
        assertInvalid(Memory.builder("s1", id).embedding(new float[4]).build(), "id", "got 257");
    }

    @Test
    void validate_idWithUnpairedSurrogate_isRefused() {
        assertInvalid(Memory.builder("s1", "a\ud800b").embedding(new float[4]).build(), "id", "unpaired surrogate");
    }

    @Test
    void validate_badSpaceName_namesSpace() {
        SpaceConfig.validateName("ok-name_1");
        assertThatThrownBy(() -> SpaceConfig.validateName("Bad")).isInstanceOf(InvalidMemoryException.class)
                .hasMessageContaining("space");
        assertThatThrownBy(() -> SpaceConfig.validateName("-x")).isInstanceOf(InvalidMemoryException.class);
        assertThatThrownBy(() -> SpaceConfig.validateName("a".repeat(65))).isInstanceOf(InvalidMemoryException.class);
    }

    @Test
    void validate_wrongDimension_namesEmbeddingAndExpectedDimension() {
        assertInvalid(valid().embedding(new float[3]).build(), "embedding", "dimension must be 4");
    }

    @Test
    void validate_nonFiniteEmbeddingValue_namesIndex() {
        assertInvalid(valid().embedding(new float[] {0, Float.NaN, 0, 0}).build(), "embedding[1]", "finite");
        assertInvalid(valid().embedding(new float[] {0, 0, 0, Float.POSITIVE_INFINITY}).build(), "embedding[3]", "finite");
    }

    @Test
    void validate_confidenceOutOfRange_namesConfidence() {
        assertInvalid(valid().confidence(1.01f).build(), "confidence", "[0, 1]");
        assertInvalid(valid().confidence(-0.1f).build(), "confidence", "[0, 1]");
        assertInvalid(valid().confidence(Float.NaN).build(), "confidence", "[0, 1]");
    }

    @Test
    void validate_contentOverLimitInUtf8Bytes_namesContentAndLimit() {
        assertInvalid(valid().content("\u00e9".repeat(6)).build(), "content", "at most 10");
        assertInvalid(valid().content("a\udc00").build(), "content", "unpaired surrogate");
    }

    @Test
    void validate_nonFiniteActivationOrDecay_namesField() {
        assertInvalid(valid().activation(Float.NaN).build(), "activation", "finite");
        assertInvalid(valid().decayRate(Float.NEGATIVE_INFINITY).build(), "decayRate", "finite");
    }

    @Test
    void validate_negativeAccessCount_namesField() {
        assertInvalid(valid().accessCount(-1).build(), "accessCount", ">= 0");
    }

    @Test
    void spaceConfig_badValues_areRefusedWithTheValue() {
        assertThatThrownBy(() -> SpaceConfig.builder("s").dimension(0)).hasMessageContaining("got 0");
        assertThatThrownBy(() -> SpaceConfig.builder("s").maxContentBytes(-1)).hasMessageContaining("got -1");
        assertThatThrownBy(() -> SpaceConfig.builder("s").quotaBytes(0)).hasMessageContaining("got 0");
        assertThatThrownBy(() -> SpaceConfig.builder("s").dimension(3).dimension(4))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void storageConfig_badValues_areRefused() {
        Path d = Path.of("x");
        assertThatThrownBy(() -> StorageConfig.builder(d).partitions(0)).hasMessageContaining("got 0");
        assertThatThrownBy(() -> StorageConfig.builder(d).partitions(4).partitions(4))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> StorageConfig.builder(d).averageValueBytes(64 << 10).largeValueThresholdBytes(1024).build())
                .hasMessageContaining("averageValueBytes");
    }
}
