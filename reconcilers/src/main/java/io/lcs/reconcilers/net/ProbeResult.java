package io.lcs.reconcilers.net;

import java.time.Duration;
import java.util.Objects;

/**
 * What a duplicate-address probe (ARP probe for IPv4, neighbour solicitation for IPv6) found, said
 * exactly: someone answered; nobody answered within the window although probes went out; the
 * probe could not run (and why); or the interface has no neighbour discovery at all, so there is
 * nobody to ask. Only {@link NoAnswer} means the address is free on the link; the caller decides
 * what the others mean (lcs: {@link Answered} is a conflict, {@link CouldNotProbe} keeps the
 * address off this node, {@link NoNeighbourDiscovery} activates without a probe).
 */
public sealed interface ProbeResult permits ProbeResult.Answered, ProbeResult.NoAnswer, ProbeResult.CouldNotProbe,
        ProbeResult.NoNeighbourDiscovery {
    /** How long the probe took (zero when nothing ran). */
    Duration took();

    /** True only for {@link NoAnswer}: probes went out and nobody answered within the window. */
    default boolean free() {
        return this instanceof NoAnswer;
    }

    /**
     * Someone answered for the address.
     *
     * @param responderMac link-layer address of the responder, lower case, empty if not parsed
     */
    record Answered(String responderMac, Duration took) implements ProbeResult {
        public Answered {
            Objects.requireNonNull(responderMac, "responderMac");
            Objects.requireNonNull(took, "took");
        }
    }

    /**
     * Nobody answered within the window, after {@code probesSent} probes (at least one: a probe that
     * sent nothing proves nothing and is {@link CouldNotProbe}).
     */
    record NoAnswer(int probesSent, Duration took) implements ProbeResult {
        public NoAnswer {
            if (probesSent < 1) {
                throw new IllegalArgumentException("no answer after " + probesSent + " probes proves nothing");
            }
            Objects.requireNonNull(took, "took");
        }
    }

    /**
     * The probe could not run or did not say what happened (tool missing, interface gone, killed
     * before it reported, unexpected output). The address may or may not be in use.
     *
     * @param reason what went wrong, naming the command and how it ended
     */
    record CouldNotProbe(String reason, Duration took) implements ProbeResult {
        public CouldNotProbe {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(took, "took");
        }
    }

    /**
     * The interface has no ARP or neighbour discovery (loopback, point-to-point links such as tun or
     * WireGuard, NOARP), so no other host can be asked about the address, or told where it is:
     * nothing was sent.
     *
     * @param why the kind of interface, e.g. "loopback", "point-to-point", "NOARP"
     */
    record NoNeighbourDiscovery(String why) implements ProbeResult {
        public NoNeighbourDiscovery {
            Objects.requireNonNull(why, "why");
        }

        @Override
        public Duration took() {
            return Duration.ZERO;
        }
    }
}
