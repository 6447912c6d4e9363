package io.lcs.reconcilers.net;

import java.time.Duration;
import java.util.Objects;

/**
 * Outcome of a duplicate-address probe (ARP probe for IPv4, neighbour solicitation for IPv6).
 * Failures to probe at all are exceptions, not results.
 */
public sealed interface ProbeResult permits ProbeResult.Free, ProbeResult.Taken {
    Duration took();

    /** Nobody answered within the window. */
    record Free(Duration took) implements ProbeResult {
        public Free {
            Objects.requireNonNull(took, "took");
        }
    }

    /**
     * Someone answered for the address.
     *
     * @param responderMac link-layer address of the responder, lower case, empty if not parsed
     */
    record Taken(String responderMac, Duration took) implements ProbeResult {
        public Taken {
            Objects.requireNonNull(responderMac, "responderMac");
            Objects.requireNonNull(took, "took");
        }
    }
}
