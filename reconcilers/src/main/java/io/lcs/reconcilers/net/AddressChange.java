package io.lcs.reconcilers.net;

import io.lcs.model.net.Cidr;

import java.time.Duration;
import java.util.Objects;

/**
 * One change in a batch given to {@link NetworkActuator#apply}: the batch form of
 * {@link NetworkActuator#addAddress}, {@link NetworkActuator#refreshLifetime} and
 * {@link NetworkActuator#removeAddress}, with the same meaning each. Arguments are checked when the
 * record is made ({@link IllegalArgumentException} naming the bad value).
 */
public sealed interface AddressChange permits AddressChange.Add, AddressChange.Refresh, AddressChange.Remove {
    Cidr cidr();

    String ifname();

    /** Adds the address with this lifetime (IPv6 with {@code nodad}); fails if it is already there. */
    record Add(Cidr cidr, String ifname, Duration lifetime) implements AddressChange {
        public Add {
            Objects.requireNonNull(cidr, "cidr");
            NetworkActuator.checkInterfaceName(ifname);
            NetworkActuator.lifetimeSeconds(lifetime);
        }
    }

    /** Sets the lifetime of an address that is there; never re-adds a missing one. */
    record Refresh(Cidr cidr, String ifname, Duration lifetime) implements AddressChange {
        public Refresh {
            Objects.requireNonNull(cidr, "cidr");
            NetworkActuator.checkInterfaceName(ifname);
            NetworkActuator.lifetimeSeconds(lifetime);
        }
    }

    /** Removes the address; an absent address or interface is success. */
    record Remove(Cidr cidr, String ifname) implements AddressChange {
        public Remove {
            Objects.requireNonNull(cidr, "cidr");
            NetworkActuator.checkInterfaceName(ifname);
        }
    }

    /**
     * How one change of a batch ended.
     *
     * @param error null if it took effect, else why not (the command and the tool's message)
     */
    record Outcome(AddressChange change, ActuatorException error) {
        public Outcome {
            Objects.requireNonNull(change, "change");
        }

        public boolean ok() {
            return error == null;
        }
    }
}
