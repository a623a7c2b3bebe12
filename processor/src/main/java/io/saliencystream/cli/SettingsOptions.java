package io.saliencystream.cli;

import io.saliencystream.app.Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The settings options {@code run}, {@code verify} and {@code fetch-models} share. */
final class SettingsOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Properties file (see the README's settings table).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "A setting, overriding the file and the environment (repeatable). Precedence: defaults, "
                    + "then the file, then SALIENCY_STREAM_<KEY> and KAFKA_<KEY> variables, then --set.")
    Map<String, String> overrides = new LinkedHashMap<>();

    Settings load() throws IOException {
        return Settings.load(Optional.ofNullable(config), overrides);
    }
}
