package io.saliencystream.app.audit;

import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.InferenceEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Inputs by event id, from inference events (e.g. the whole input topic). A later event with the same id wins. */
public final class EventIndex implements InputSource {

    private final Map<String, InferenceEvent> byId = new HashMap<>();
    private final String origin;

    public EventIndex(List<InferenceEvent> events, String origin) {
        events.forEach(e -> byId.put(e.getEventId(), e));
        this.origin = origin;
    }

    @Override
    public Optional<Object> find(ExplanationAudit audit) {
        return Optional.ofNullable(byId.get(audit.getEventId())).map(InferenceEvent::getInput);
    }

    @Override
    public String describe() {
        return origin + " (" + byId.size() + " events)";
    }
}
