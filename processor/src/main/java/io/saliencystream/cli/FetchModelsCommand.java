package io.saliencystream.cli;

import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import picocli.CommandLine.Command;
import io.saliencystream.app.Settings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "fetch-models", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = "Download and checksum-verify every model of the catalog into the model"
        + " folder, so that the processor starts without network access.")
final class FetchModelsCommand implements Callable<Integer> {

    @Option(names = "--catalog", description = "Model catalog JSON (default: catalog.path, else the built-in catalog).")
    Path catalog;

    @Option(names = "--model-dir", description = "Model folder (default: model.dir, else ~/.cache/saliency-stream/models).")
    Path modelDir;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() throws Exception {
        Settings loaded = settings.load();
        if (catalog == null) {
            catalog = loaded.find("catalog.path").map(Path::of).orElse(null);
        }
        if (modelDir == null) {
            modelDir = loaded.find("model.dir").map(Path::of).orElse(null);
        }
        ModelStore store = new ModelStore(modelDir == null ? ModelStore.defaultDir() : modelDir, System.out);
        try (ModelCatalog models = catalog == null ? ModelCatalog.defaultCatalog(store) : ModelCatalog.load(catalog, store)) {
            for (CatalogModel model : models.models()) {
                System.out.printf("%s  %s  sha256 %s%n", model.spec().key(), model.file(), model.sha256());
            }
        }
        return 0;
    }
}
