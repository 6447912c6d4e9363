package io.lcs.controller.transport;

import io.lcs.model.net.Cidr;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The addresses inbound peer connections may come from: every configured member's {@code address},
 * an IP literal as written, a host name as it resolved. The transport drops a connection from any
 * other source at accept, and caps connections in their handshake per source by the number of
 * members at that address. Immutable and thread-safe; {@link #resolve} blocks (DNS) and must run
 * off the event loop.
 */
final class MemberAddresses {
    /** Resolves a host name to its addresses. Blocking; called off the event loop only. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** The JDK resolver (/etc/hosts, then DNS, as the system is configured). */
    static final Resolver SYSTEM = InetAddress::getAllByName;

    /** Addresses per peer name; a host name that did not resolve (or not yet) has no entry. */
    private final Map<String, Set<InetAddress>> byPeer;
    /** How many members each address belongs to (several nodes may share one host in a lab). */
    private final Map<InetAddress, Integer> membersAt;
    /** Peers whose host name has no address (yet): name to the reason, in configuration order. */
    private final Map<String, String> unresolved;

    private MemberAddresses(Map<String, Set<InetAddress>> byPeer, Map<String, String> unresolved) {
        this.byPeer = Collections.unmodifiableMap(byPeer);
        this.unresolved = Collections.unmodifiableMap(unresolved);
        Map<InetAddress, Integer> at = new HashMap<>();
        for (Set<InetAddress> addresses : byPeer.values()) {
            for (InetAddress a : addresses) {
                at.merge(a, 1, Integer::sum);
            }
        }
        this.membersAt = Collections.unmodifiableMap(at);
    }

    /** The IP literals among {@code peers}, without any lookup: host names count as not resolved yet. */
    static MemberAddresses literals(List<PeerAddress> peers) {
        return resolve(peers, host -> {
            throw new UnknownHostException("not resolved yet");
        });
    }

    /** Every peer's addresses, host names resolved with {@code resolver} (blocking). */
    static MemberAddresses resolve(List<PeerAddress> peers, Resolver resolver) {
        Map<String, Set<InetAddress>> byPeer = new LinkedHashMap<>();
        Map<String, String> unresolved = new LinkedHashMap<>();
        for (PeerAddress p : peers) {
            InetAddress literal = literal(p.host());
            if (literal != null) {
                byPeer.put(p.name(), Set.of(literal));
                continue;
            }
            try {
                InetAddress[] found = resolver.resolve(p.host());
                Set<InetAddress> set = new LinkedHashSet<>();
                for (InetAddress a : found == null ? new InetAddress[0] : found) {
                    set.add(InetAddress.getByAddress(a.getAddress())); // without the host name: equality by address
                }
                if (set.isEmpty()) {
                    unresolved.put(p.name(), "no address");
                } else {
                    byPeer.put(p.name(), Collections.unmodifiableSet(set));
                }
            } catch (UnknownHostException | RuntimeException e) {
                unresolved.put(p.name(), e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
        return new MemberAddresses(byPeer, unresolved);
    }

    /** The address of an IP literal; null for a host name. */
    static InetAddress literal(String host) {
        try {
            return Cidr.parseAddress(host);
        } catch (IllegalArgumentException notALiteral) {
            return null;
        }
    }

    /** Whether {@code source} is an address of a member. */
    boolean isMember(InetAddress source) {
        return source != null && membersAt.containsKey(source);
    }

    /** How many members have {@code source} among their addresses (0 for a stranger). */
    int membersAt(InetAddress source) {
        return source == null ? 0 : membersAt.getOrDefault(source, 0);
    }

    /** {@code peer}'s addresses; empty when its host name did not resolve. */
    Set<InetAddress> of(String peer) {
        return byPeer.getOrDefault(peer, Set.of());
    }

    /** Peers whose host name has no address (yet), with the reason, in configuration order. */
    Map<String, String> unresolved() {
        return unresolved;
    }

    /** Every member address, for the log. */
    Set<InetAddress> all() {
        return membersAt.keySet();
    }
}
