package io.lcs.reconcilers.net;

import io.lcs.model.net.Cidr;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The port through which reconcilers read and change the host's addresses. Every method reads or
 * changes actual state in the system (never a cache), blocks the calling thread for at most a few
 * seconds (each implementation states its bounds), and is thread-safe. Call it from a worker
 * thread, never from an event loop.
 *
 * <p>Arguments are checked first: a bad interface name or lifetime throws
 * {@link IllegalArgumentException} and nothing runs.
 *
 * <p><b>Lifetimes are the kernel fence</b> (docs/architecture.md, "The kernel fence"): every address is added with a
 * finite valid and preferred lifetime in whole seconds, at least 1, computed by the caller from the
 * lease, and the kernel removes it when it passes even if lcsd is dead.
 */
public interface NetworkActuator {
    /** Linux interface names: 1..15 bytes (IFNAMSIZ - 1), only letters, digits, _ . -; not starting with -. */
    Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]{0,14}");
    /** Largest lifetime accepted: one day. A fence is meant to be short; forever is never allowed. */
    long MAX_LIFETIME_SECONDS = 86_400;

    /**
     * Addresses on {@code ifname}, IPv4 and IPv6, in the kernel's order.
     *
     * @throws NoSuchInterfaceException if the interface does not exist
     */
    List<InterfaceAddress> addresses(String ifname) throws ActuatorException, InterruptedException;

    /** State of {@code ifname}; {@link LinkState#absent} if it does not exist (not an exception). */
    LinkState link(String ifname) throws ActuatorException, InterruptedException;

    /**
     * Adds {@code cidr} to {@code ifname} with valid and preferred lifetime {@code lifetime}; IPv6
     * addresses are added with {@code nodad} (the caller probes first with {@link #probeDuplicate}).
     * Fails if the address is already there.
     *
     * @param lifetime whole seconds, 1..{@value #MAX_LIFETIME_SECONDS}
     */
    void addAddress(Cidr cidr, String ifname, Duration lifetime) throws ActuatorException, InterruptedException;

    /**
     * Sets the valid and preferred lifetime of {@code cidr} on {@code ifname} to {@code lifetime}.
     * Never resurrects a missing address: if it is absent this throws
     * {@link AddressNotFoundException}.
     *
     * @param lifetime whole seconds, 1..{@value #MAX_LIFETIME_SECONDS}
     */
    void refreshLifetime(Cidr cidr, String ifname, Duration lifetime) throws ActuatorException, InterruptedException;

    /**
     * Removes {@code cidr} from {@code ifname}. Idempotent: an absent address, or an absent
     * interface, is success.
     */
    void removeAddress(Cidr cidr, String ifname) throws ActuatorException, InterruptedException;

    /**
     * Asks the link whether anyone else uses {@code cidr}'s address, waiting at most {@code window}
     * for an answer (IPv4: ARP probe from 0.0.0.0; IPv6: neighbour solicitation), and says exactly
     * what happened ({@link ProbeResult}): only {@link ProbeResult.NoAnswer} means free. On an
     * interface without neighbour discovery (loopback, point-to-point, NOARP) nothing is sent:
     * {@link ProbeResult.NoNeighbourDiscovery}. A probe that cannot run is
     * {@link ProbeResult.CouldNotProbe}, not an exception. An address held by this host itself is
     * not detected here; check {@link #addresses} for that.
     *
     * @param window 50 ms..10 s
     */
    ProbeResult probeDuplicate(Cidr cidr, String ifname, Duration window) throws ActuatorException, InterruptedException;

    /**
     * Tells the link that {@code cidr} is here now (IPv4: gratuitous ARP; IPv6: unsolicited
     * neighbour advertisement with the override flag), so neighbours update their caches at once.
     * The address should already be on {@code ifname}. Does nothing on an interface without
     * neighbour discovery.
     */
    void announce(Cidr cidr, String ifname) throws ActuatorException, InterruptedException;

    /** Largest batch accepted by {@link #apply}, {@link #probeDuplicates} and {@link #announceAll}. */
    int MAX_BATCH = 10_000;

    /**
     * Applies many changes, each with the meaning of its single-address method, and says per change
     * whether it took effect. Implementations may run them in one go (one process); this default
     * runs them one by one. A failure of one change does not stop the others. An error that
     * prevents running the batch at all (e.g. the tool is missing) is reported for every change.
     *
     * @param changes at most {@value #MAX_BATCH}
     * @return one outcome per change, in the same order
     */
    default List<AddressChange.Outcome> apply(List<AddressChange> changes) throws InterruptedException {
        checkBatch(changes, "changes");
        List<AddressChange.Outcome> out = new ArrayList<>(changes.size());
        for (AddressChange c : changes) {
            ActuatorException error = null;
            try {
                if (c instanceof AddressChange.Add a) {
                    addAddress(a.cidr(), a.ifname(), a.lifetime());
                } else if (c instanceof AddressChange.Refresh r) {
                    refreshLifetime(r.cidr(), r.ifname(), r.lifetime());
                } else {
                    removeAddress(c.cidr(), c.ifname());
                }
            } catch (ActuatorException e) {
                error = e;
            }
            out.add(new AddressChange.Outcome(c, error));
        }
        return out;
    }

    /**
     * {@link #probeDuplicate} for many addresses on one interface, all within about one
     * {@code window} (implementations probe in parallel or in one process). This default probes
     * them one by one.
     *
     * @param cidrs at most {@value #MAX_BATCH}; duplicates are probed once
     * @return a result per address, keyed as given ({@link ProbeResult.CouldNotProbe} for those that
     * could not be probed)
     * @throws ActuatorException only from implementations that cannot tell per address
     */
    default Map<Cidr, ProbeResult> probeDuplicates(List<Cidr> cidrs, String ifname, Duration window)
            throws ActuatorException, InterruptedException {
        checkBatch(cidrs, "addresses to probe");
        checkInterfaceName(ifname);
        checkProbeWindow(window);
        Map<Cidr, ProbeResult> out = new LinkedHashMap<>();
        for (Cidr c : cidrs) {
            if (!out.containsKey(c)) {
                out.put(c, probeDuplicate(c, ifname, window));
            }
        }
        return out;
    }

    /**
     * {@link #announce} for many addresses on one interface (implementations use one process per
     * batch or bounded concurrency). This default announces them one by one.
     *
     * @param cidrs at most {@value #MAX_BATCH}
     * @throws ActuatorException naming the command of the first failure (the others were still tried)
     */
    default void announceAll(List<Cidr> cidrs, String ifname) throws ActuatorException, InterruptedException {
        checkBatch(cidrs, "addresses to announce");
        checkInterfaceName(ifname);
        ActuatorException first = null;
        for (Cidr c : cidrs) {
            try {
                announce(c, ifname);
            } catch (ActuatorException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Checks a batch: not null, no null element, at most {@value #MAX_BATCH}.
     *
     * @throws IllegalArgumentException naming {@code what}
     */
    static <T> List<T> checkBatch(List<T> batch, String what) {
        if (batch == null) {
            throw new IllegalArgumentException(what + ": missing");
        }
        if (batch.size() > MAX_BATCH) {
            throw new IllegalArgumentException(what + ": " + batch.size() + " is more than " + MAX_BATCH);
        }
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i) == null) {
                throw new IllegalArgumentException(what + ": element " + i + " is null");
            }
        }
        return batch;
    }

    /**
     * Checks an interface name against {@link #INTERFACE_NAME}.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    static String checkInterfaceName(String ifname) {
        if (ifname == null || !INTERFACE_NAME.matcher(ifname).matches()) {
            throw new IllegalArgumentException("interface name '" + ifname + "' is not valid: 1-15 characters "
                    + "of letters, digits, '_', '.', '-', not starting with '-'");
        }
        return ifname;
    }

    /**
     * The whole seconds of a lifetime.
     *
     * @throws IllegalArgumentException unless {@code lifetime} is whole seconds in 1..{@value #MAX_LIFETIME_SECONDS}
     */
    static long lifetimeSeconds(Duration lifetime) {
        if (lifetime == null) {
            throw new IllegalArgumentException("address lifetime is missing");
        }
        if (lifetime.getNano() != 0 || lifetime.getSeconds() < 1 || lifetime.getSeconds() > MAX_LIFETIME_SECONDS) {
            throw new IllegalArgumentException("address lifetime " + lifetime + " must be whole seconds in 1.."
                    + MAX_LIFETIME_SECONDS + " (the kernel counts whole seconds; the caller rounds down)");
        }
        return lifetime.getSeconds();
    }

    /**
     * Checks a probe window.
     *
     * @throws IllegalArgumentException unless {@code window} is 50 ms..10 s
     */
    static Duration checkProbeWindow(Duration window) {
        if (window == null || window.compareTo(Duration.ofMillis(50)) < 0 || window.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("probe window " + window + " must be 50 ms..10 s (shorter windows "
                    + "may end before the probe is even sent)");
        }
        return window;
    }
}
