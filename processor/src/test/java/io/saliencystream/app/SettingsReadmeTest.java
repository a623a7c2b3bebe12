package io.saliencystream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's settings table is the one {@link SettingDefinitions} generates. After changing a
 * definition, rewrite it with {@code -Dsettings.readme.write=true} on this test.
 */
class SettingsReadmeTest {

    static final String START = "<!-- settings table: generated from SettingDefinitions, checked by SettingsReadmeTest -->\n";
    static final String END = "<!-- end of settings table -->";

    @Test
    void readmeTableIsGeneratedFromTheDefinitions() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        assertThat(start).as("README has the settings table markers").isNotNegative();
        String generated = SettingDefinitions.markdownTable();
        if (Boolean.getBoolean("settings.readme.write")) {
            Files.writeString(readme, text.substring(0, start + START.length()) + generated
                    + text.substring(end), StandardCharsets.UTF_8);
            return;
        }
        assertThat(text.substring(start + START.length(), end)).isEqualTo(generated);
    }
}
