package io.saliencystream.engine.input;

/** What an encoded image's header says: format name ("png" or "jpeg") and size in pixels. */
public record ImageHeader(String format, int width, int height) {

    public long pixels() {
        return (long) width * height;
    }
}
