package io.saliencystream.engine.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to feed a model and read its answer: one entry of the model catalog.
 *
 * @param name       model name as inference events name it
 * @param version    model version as inference events name it
 * @param onnxFile   ONNX file, relative to the model store's directory, or "classpath:/path" for a
 *                   model shipped inside the application (copied to the store on first use)
 * @param source     where {@link ModelStore} fetches the file from; null when it must already be there
 * @param inputName  name of the model's image input
 * @param layout     NCHW or NHWC; the batch dimension comes first
 * @param width      model input width in pixels
 * @param height     model input height in pixels
 * @param channels   1 (gray) or 3 (colour)
 * @param colorOrder channel order of colour inputs
 * @param pixelScale factor from 0..255 pixel values to the model's range, e.g. 1/255
 * @param mean       per channel (model order), subtracted after scaling
 * @param std        per channel (model order), divides after subtracting the mean
 * @param resize     how an image of another size is brought to width x height
 * @param output     whether the model emits logits or probabilities
 * @param labels     class labels, in output order
 * @param method     the default explanation method and its parameters
 * @param score      how a dense output (a detector's map, a recognizer's sequence, a named output)
 *                   becomes the row of class values explained; null for a classifier's [N, classes]
 * @param session    this model's own ONNX Runtime settings over the application's; null: none
 */
public record ModelSpec(String name, String version, String onnxFile, ModelSource source,
                        String inputName, Layout layout, int width, int height, int channels,
                        ColorOrder colorOrder, double pixelScale, double[] mean, double[] std,
                        ResizeMode resize, OutputKind output, List<String> labels, MethodSpec method,
                        OutputScore score, SessionSpec session) {

    public enum Layout { NCHW, NHWC }

    public enum ColorOrder { RGB, BGR }

    public enum ResizeMode {
        /** Scale to exactly width x height, ignoring aspect ratio. */
        STRETCH,
        /**
         * PaddleOCR's text-line resize: scale to the model height keeping the aspect ratio, width
         * min(W, ceil(H * w / h)), and fill the right of the tensor with zeros after normalisation.
         */
        KEEP_ASPECT_PAD_RIGHT
    }

    public enum OutputKind { LOGITS, PROBABILITIES }

    /** An explanation method by name with its parameters as strings (as recorded in audits). */
    /**
     * @param overlay overlay options for maps of this method (keys of the render package's
     *                OverlayOptions, e.g. type, polarity, color_map), over the method's defaults
     */
    public record MethodSpec(String name, Map<String, String> parameters, Map<String, String> overlay) {
        public MethodSpec {
            Objects.requireNonNull(name, "method.name");
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
            overlay = overlay == null ? Map.of() : Map.copyOf(overlay);
        }

        public MethodSpec(String name, Map<String, String> parameters) {
            this(name, parameters, Map.of());
        }
    }

    /**
     * A catalog entry's own ONNX Runtime settings ({@code "session"}); each one left out takes the
     * application's setting.
     *
     * @param intraOpThreads    threads one call of this model may use (at least 1)
     * @param optimization      graph optimisation level: disable-all, basic, extended or all
     * @param executionProvider cpu or cuda
     */
    public record SessionSpec(Integer intraOpThreads, String optimization, String executionProvider) {
        public SessionSpec {
            require(intraOpThreads == null || intraOpThreads >= 1, "session.intraOpThreads must be at least 1, got "
                    + intraOpThreads);
            if (optimization != null) {
                SessionSettings.Optimization.of(optimization);
            }
            if (executionProvider != null) {
                SessionSettings.Provider.of(executionProvider);
            }
        }

        /** {@code defaults} with what this entry sets. */
        public SessionSettings over(SessionSettings defaults) {
            return new SessionSettings(intraOpThreads == null ? defaults.intraOpThreads() : intraOpThreads,
                    optimization == null ? defaults.optimization() : SessionSettings.Optimization.of(optimization),
                    executionProvider == null ? defaults.provider() : SessionSettings.Provider.of(executionProvider));
        }
    }

    public ModelSpec {
        require(name != null && !name.isBlank(), "name is required");
        require(version != null && !version.isBlank(), "version is required");
        require(onnxFile != null && !onnxFile.isBlank(), "onnxFile is required");
        require(inputName != null && !inputName.isBlank(), "inputName is required");
        Objects.requireNonNull(layout, "layout");
        require(width > 0 && height > 0, "width and height must be positive");
        require(channels == 1 || channels == 3, "channels must be 1 or 3, got " + channels);
        colorOrder = colorOrder == null ? ColorOrder.RGB : colorOrder;
        require(pixelScale > 0 && Double.isFinite(pixelScale), "pixelScale must be positive");
        require(mean != null && mean.length == channels, "mean needs one value per channel");
        require(std != null && std.length == channels, "std needs one value per channel");
        for (double s : std) {
            require(s != 0 && Double.isFinite(s), "std values must be finite and non-zero");
        }
        mean = mean.clone();
        std = std.clone();
        resize = resize == null ? ResizeMode.STRETCH : resize;
        Objects.requireNonNull(output, "output");
        require(labels != null && labels.size() >= 2, "labels must list at least two classes");
        labels = List.copyOf(labels);
        Objects.requireNonNull(method, "method");
    }

    /** A classifier's entry: its output is [N, classes]. */
    public ModelSpec(String name, String version, String onnxFile, ModelSource source, String inputName, Layout layout,
                     int width, int height, int channels, ColorOrder colorOrder, double pixelScale, double[] mean,
                     double[] std, ResizeMode resize, OutputKind output, List<String> labels, MethodSpec method) {
        this(name, version, onnxFile, source, inputName, layout, width, height, channels, colorOrder, pixelScale, mean,
                std, resize, output, labels, method, null, null);
    }

    /** An entry without session settings of its own. */
    public ModelSpec(String name, String version, String onnxFile, ModelSource source, String inputName, Layout layout,
                     int width, int height, int channels, ColorOrder colorOrder, double pixelScale, double[] mean,
                     double[] std, ResizeMode resize, OutputKind output, List<String> labels, MethodSpec method,
                     OutputScore score) {
        this(name, version, onnxFile, source, inputName, layout, width, height, channels, colorOrder, pixelScale, mean,
                std, resize, output, labels, method, score, null);
    }

    /** The ONNX Runtime settings of this model: the application's {@code defaults} with the entry's own over them. */
    public SessionSettings sessionSettings(SessionSettings defaults) {
        return session == null ? defaults : session.over(defaults);
    }

    /** This entry with its output scored as {@code score} (e.g. another box or sequence position). */
    public ModelSpec withScore(OutputScore score) {
        return new ModelSpec(name, version, onnxFile, source, inputName, layout, width, height, channels, colorOrder,
                pixelScale, mean, std, resize, output, labels, method, score, session);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("model spec: " + what);
        }
    }

    /** Values in one input tensor of batch size 1. */
    public int inputSize() {
        return width * height * channels;
    }

    /** Shape of a batch of {@code n} inputs. */
    public long[] inputShape(int n) {
        return layout == Layout.NCHW
                ? new long[] {n, channels, height, width}
                : new long[] {n, height, width, channels};
    }

    public String key() {
        return name + ":" + version;
    }
}
