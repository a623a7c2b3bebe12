package io.saliencystream.drift;

import java.util.Arrays;

/**
 * Exact earth mover's distance between two distributions on the same grid, with the Euclidean
 * distance between cell centres ({@link GridShape#distance}) as ground distance: the least
 * total mass × distance needed to turn one distribution into the other.
 *
 * <p>It solves the transportation problem exactly as a min-cost flow, by successive shortest
 * paths (Dijkstra on reduced costs with Johnson potentials). Two reductions keep it small:
 * mass common to both distributions in a cell stays where it is (optimal for any metric
 * ground distance, by the triangle inequality), so only cells with surplus send and only cells
 * with deficit receive; and each augmentation saturates a supply, a demand or a reverse arc,
 * so the number of augmentations stays near the number of sending plus receiving cells.
 */
public final class EarthMoversDistance {

    /** Residual mass below this (relative to a total of 1) counts as moved. */
    private static final double EPS = 1e-12;

    private EarthMoversDistance() {
    }

    /** The distance; both inputs are normalised to sum 1 first. */
    public static double between(double[] p, double[] q, GridShape shape) {
        return plan(p, q, shape).cost();
    }

    /** An optimal transport plan from {@code p} to {@code q} (both normalised first) and its cost. */
    public static TransportPlan plan(double[] p, double[] q, GridShape shape) {
        shape.requireCells("First distribution", p.length);
        shape.requireCells("Second distribution", q.length);
        double[] a = GridMath.normalised("First distribution", p);
        double[] b = GridMath.normalised("Second distribution", q);
        int n = shape.cells();
        double[][] flow = new double[n][n];
        double[] supply = new double[n];
        double[] demand = new double[n];
        int senders = 0;
        int receivers = 0;
        for (int i = 0; i < n; i++) {
            double stay = Math.min(a[i], b[i]);
            flow[i][i] = stay;
            supply[i] = a[i] - stay;
            demand[i] = b[i] - stay;
            if (supply[i] > EPS) {
                senders++;
            }
            if (demand[i] > EPS) {
                receivers++;
            }
        }
        int[] from = new int[senders];
        int[] to = new int[receivers];
        for (int i = 0, s = 0, r = 0; i < n; i++) {
            if (supply[i] > EPS) {
                from[s++] = i;
            }
            if (demand[i] > EPS) {
                to[r++] = i;
            }
        }
        if (senders > 0 && receivers > 0) {
            new Transport(shape, from, to, supply, demand).solveInto(flow);
        }
        double cost = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (flow[i][j] != 0 && i != j) {
                    cost += flow[i][j] * shape.distance(i, j);
                }
            }
        }
        return new TransportPlan(flow, cost);
    }

    /**
     * Optimal plan: {@code flow[i][j]} mass moved from cell i to cell j (the diagonal is the mass
     * that stays), and its total cost.
     */
    public record TransportPlan(double[][] flow, double cost) {
    }

    /**
     * The reduced problem as a bipartite min-cost flow: super source → sender (capacity =
     * surplus), sender → receiver (unbounded, cost = distance), receiver → super sink
     * (capacity = deficit). Dense arrays: at most 64 × 64 arcs for an 8 × 8 grid.
     */
    private static final class Transport {
        private final int senders;
        private final int receivers;
        private final int[] from;
        private final int[] to;
        private final double[][] cost;
        private final double[][] moved;
        private final double[] supplyLeft;
        private final double[] demandLeft;
        // node potentials: senders 0..s-1, receivers s..s+r-1, sink s+r; the source has potential 0
        private final double[] potential;

        Transport(GridShape shape, int[] from, int[] to, double[] supply, double[] demand) {
            this.from = from;
            this.to = to;
            this.senders = from.length;
            this.receivers = to.length;
            this.cost = new double[senders][receivers];
            this.moved = new double[senders][receivers];
            for (int s = 0; s < senders; s++) {
                for (int r = 0; r < receivers; r++) {
                    cost[s][r] = shape.distance(from[s], to[r]);
                }
            }
            this.supplyLeft = new double[senders];
            this.demandLeft = new double[receivers];
            for (int s = 0; s < senders; s++) {
                supplyLeft[s] = supply[from[s]];
            }
            for (int r = 0; r < receivers; r++) {
                demandLeft[r] = demand[to[r]];
            }
            this.potential = new double[senders + receivers + 1];
        }

        void solveInto(double[][] flow) {
            int nodes = senders + receivers + 1;
            int sink = senders + receivers;
            double[] dist = new double[nodes];
            int[] parent = new int[nodes];
            boolean[] done = new boolean[nodes];
            while (true) {
                // Dijkstra from the super source over the residual graph, with reduced costs
                Arrays.fill(dist, Double.POSITIVE_INFINITY);
                Arrays.fill(parent, -1);
                Arrays.fill(done, false);
                for (int s = 0; s < senders; s++) {
                    if (supplyLeft[s] > EPS) {
                        dist[s] = Math.max(0, -potential[s]);
                    }
                }
                while (true) {
                    int u = -1;
                    for (int v = 0; v < nodes; v++) {
                        if (!done[v] && dist[v] < Double.POSITIVE_INFINITY && (u < 0 || dist[v] < dist[u])) {
                            u = v;
                        }
                    }
                    if (u < 0) {
                        break;
                    }
                    done[u] = true;
                    if (u < senders) {
                        for (int r = 0; r < receivers; r++) {
                            relax(u, senders + r, dist[u] + reduced(cost[u][r], u, senders + r), dist, parent);
                        }
                    } else if (u < sink) {
                        int r = u - senders;
                        for (int s = 0; s < senders; s++) {
                            if (moved[s][r] > EPS) {
                                relax(u, s, dist[u] + reduced(-cost[s][r], u, s), dist, parent);
                            }
                        }
                        if (demandLeft[r] > EPS) {
                            relax(u, sink, dist[u] + reduced(0, u, sink), dist, parent);
                        }
                    }
                }
                if (dist[sink] == Double.POSITIVE_INFINITY) {
                    break;
                }
                for (int v = 0; v < nodes; v++) {
                    if (dist[v] < Double.POSITIVE_INFINITY) {
                        potential[v] += dist[v];
                    }
                }
                augment(parent, sink);
            }
            for (int s = 0; s < senders; s++) {
                for (int r = 0; r < receivers; r++) {
                    flow[from[s]][to[r]] += moved[s][r];
                }
            }
        }

        private double reduced(double arcCost, int u, int v) {
            // reduced costs are >= 0 in exact arithmetic; clamp rounding so Dijkstra stays valid
            return Math.max(0, arcCost + potential[u] - potential[v]);
        }

        private static void relax(int u, int v, double d, double[] dist, int[] parent) {
            if (d < dist[v]) {
                dist[v] = d;
                parent[v] = u;
            }
        }

        private void augment(int[] parent, int sink) {
            int lastReceiver = parent[sink];
            double amount = demandLeft[lastReceiver - senders];
            int v = lastReceiver;
            int firstSender = v;
            while (v >= 0) {
                int u = parent[v];
                if (v < senders) {
                    if (u < 0) {
                        firstSender = v;
                    } else {
                        amount = Math.min(amount, moved[v][u - senders]); // reverse arc receiver u → sender v
                    }
                }
                v = u;
            }
            amount = Math.min(amount, supplyLeft[firstSender]);
            supplyLeft[firstSender] -= amount;
            demandLeft[lastReceiver - senders] -= amount;
            v = lastReceiver;
            while (parent[v] >= 0) {
                int u = parent[v];
                if (u < senders) {
                    moved[u][v - senders] += amount;
                } else {
                    moved[v][u - senders] -= amount;
                }
                v = u;
            }
        }
    }
}
