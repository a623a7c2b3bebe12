package io.saliencystream.stream;

import io.saliencystream.engine.input.InvalidInputException;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.schema.InputUri;
import io.saliencystream.schema.RawTensor;

/**
 * The cheap checks run on every event against the model catalog: the model is known, an image
 * input's header is readable and within limits (no pixels decoded), a claim check points into
 * {@code inputs.file-root} (nothing is read: only selected events fetch it), a raw tensor has
 * the model's shape and finite values. Thread-safe.
 */
public final class CatalogEventValidator implements EventValidator {

    private final ModelCatalog catalog;
    private final EventInputs inputs;

    public CatalogEventValidator(ModelCatalog catalog, EventInputs inputs) {
        this.catalog = catalog;
        this.inputs = inputs;
    }

    @Override
    public void validate(InferenceEvent event) throws RejectedInputException {
        try {
            CatalogModel model = catalog.require(event.getModelName(), event.getModelVersion());
            if (event.getInput() instanceof RawTensor tensor) {
                new Preprocessor(model.spec()).checkRawTensor(EventInputs.shape(tensor), EventInputs.values(tensor));
            } else if (event.getInput() instanceof InputUri claim) {
                inputs.locate(claim);
            } else {
                inputs.probe(event.getInput());
            }
        } catch (InvalidInputException e) {
            throw new RejectedInputException(Stage.VALIDATE, e.code(), e.getMessage(), e);
        }
    }
}
