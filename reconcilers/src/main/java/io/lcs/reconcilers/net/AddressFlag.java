package io.lcs.reconcilers.net;

/**
 * Per-address flags iproute2 reports (as boolean JSON members of {@code ip -j addr show}). Only the
 * ones a reconciler may act on are modelled; others are ignored.
 */
public enum AddressFlag {
    /** IPv6 duplicate address detection still running: the address is not usable yet. */
    TENTATIVE("tentative"),
    /** IPv6 DAD found a duplicate: the address is unusable. */
    DADFAILED("dadfailed"),
    /** Preferred lifetime ended; still valid. */
    DEPRECATED("deprecated"),
    /** Added with {@code nodad}. */
    NODAD("nodad"),
    /** Has a finite lifetime (iproute2 prints "dynamic" when not permanent). */
    DYNAMIC("dynamic"),
    /** IPv4 secondary address on the subnet. */
    SECONDARY("secondary"),
    OPTIMISTIC("optimistic"),
    NOPREFIXROUTE("noprefixroute");

    private final String jsonName;

    AddressFlag(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The member name in iproute2's JSON. */
    public String jsonName() {
        return jsonName;
    }
}
