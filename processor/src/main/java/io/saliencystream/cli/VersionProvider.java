package io.saliencystream.cli;

import io.saliencystream.app.ProcessorApp;
import picocli.CommandLine;

/** {@code --version}: the versions recorded in audit records. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        return ProcessorApp.versions().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue())
                .toArray(String[]::new);
    }
}
