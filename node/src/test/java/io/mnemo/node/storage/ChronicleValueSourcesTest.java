package io.mnemo.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.values.ValueModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chronicle Map's value classes come compiled with the node, so no node runs javac to make them. */
class ChronicleValueSourcesTest {
    @TempDir
    Path dir;

    @Test
    void everyValueClass_isOnTheClassPath_andIsTheOneChronicleUses() throws Exception {
        for (Class<?> type : ChronicleValueSources.VALUE_TYPES) {
            String name = type.getPackageName() + "." + ChronicleValueSources.nativeClassName(type);
            Class<?> shipped = Class.forName(name, false, type.getClassLoader());
            // A class compiled at run time is defined from memory, without a code source.
            assertThat(shipped.getProtectionDomain().getCodeSource()).as(name + " loaded from the class path").isNotNull();
            assertThat(ValueModel.acquire(type).nativeClass()).as("the class Chronicle Values resolves").isSameAs(shipped);
        }
    }

    @Test
    void main_writesOneSourcePerValueClass_inItsPackageDirectory() throws Exception {
        ChronicleValueSources.main(new String[] {dir.toString()});
        for (Class<?> type : ChronicleValueSources.VALUE_TYPES) {
            String simple = ChronicleValueSources.nativeClassName(type);
            Path file = dir.resolve(type.getPackageName().replace('.', '/')).resolve(simple + ".java");
            assertThat(Files.readString(file)).contains("package " + type.getPackageName())
                    .contains("class " + simple).contains(type.getSimpleName());
        }
    }
}
