package io.lcs.reconcilers.net;

import io.lcs.model.net.Cidr;

import java.util.Objects;
import java.util.Set;

/**
 * One address actually present on an interface (actual state, read from the system).
 *
 * @param cidr address and prefix length
 * @param scope {@code global}, {@code link}, {@code host} (as iproute2 prints it)
 * @param validLifetime time until the kernel removes the address
 * @param preferredLifetime time until it becomes deprecated
 * @param flags flags present (immutable)
 */
public record InterfaceAddress(Cidr cidr, String scope, Lifetime validLifetime, Lifetime preferredLifetime,
                               Set<AddressFlag> flags) {
    public InterfaceAddress {
        Objects.requireNonNull(cidr, "cidr");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(validLifetime, "validLifetime");
        Objects.requireNonNull(preferredLifetime, "preferredLifetime");
        flags = Set.copyOf(flags);
    }

    public boolean has(AddressFlag flag) {
        return flags.contains(flag);
    }

    /** True if this is {@code cidr}'s address (prefix length ignored: one address, one owner). */
    public boolean sameAddress(Cidr other) {
        return cidr.address().equals(other.address());
    }

    /** Usable for traffic: not tentative and not dadfailed. */
    public boolean usable() {
        return !flags.contains(AddressFlag.TENTATIVE) && !flags.contains(AddressFlag.DADFAILED);
    }
}
