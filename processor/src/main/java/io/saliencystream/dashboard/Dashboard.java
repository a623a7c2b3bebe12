package io.saliencystream.dashboard;

import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.registry.SchemaRegistry;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.stream.EventInputs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The web page on the output topics: overview, gallery of overlays, attention drift, audit lookup.
 * Reads the topics read_committed into bounded memory ({@link DashboardLimits}) and serves the
 * page and its JSON on one port until closed.
 */
public final class Dashboard implements AutoCloseable {

    private final OutputFeed feed;
    private final OverlayFetcher overlays;
    private final DashboardServer server;
    private final String host;

    private Dashboard(OutputFeed feed, OverlayFetcher overlays, DashboardServer server, String host) {
        this.feed = feed;
        this.overlays = overlays;
        this.server = server;
        this.host = host;
    }

    /**
     * Starts following the topics and serving the page.
     *
     * @param address     where to serve (port 0: any free port)
     * @param catalog     models to verify audit records with; empty: the page shows audits without the check
     * @param eventInputs how the processor reads event inputs (limits, claim-check root), for the check
     */
    public static Dashboard start(DashboardSources sources, DashboardLimits limits, InetSocketAddress address,
                                  Optional<ModelCatalog> catalog, EventInputs eventInputs) throws IOException {
        AvroTrust.install();
        SchemaRegistry registry = sources.registry();
        DashboardState state = new DashboardState(limits, sources.thresholds());
        OutputFeed feed = new OutputFeed(sources, registry, limits, state);
        OverlayFetcher overlays = new OverlayFetcher(sources, registry, state, limits.overlayCache());
        AuditLookup audits = new AuditLookup(sources, registry, state,
                catalog.map(c -> new AuditLookup.Verification(c, eventInputs)));
        DashboardServer server;
        try {
            server = new DashboardServer(address, state, overlays, audits);
        } catch (IOException | RuntimeException e) {
            overlays.close();
            feed.close();
            throw e;
        }
        feed.start();
        String host = address.getAddress() == null || address.getAddress().isAnyLocalAddress() ? "localhost"
                : address.getHostString();
        return new Dashboard(feed, overlays, server, host);
    }

    public int port() {
        return server.port();
    }

    public String url() {
        return "http://" + host + ":" + port() + "/";
    }

    @Override
    public void close() {
        server.close();
        feed.close();
        overlays.close();
    }
}
