package io.lcs.reconcilers.net;

/**
 * {@code ip} ran and the kernel refused the change, with a message for it (e.g. {@code Error: ipv6:
 * IPv6 is disabled on this device.}): trying again will most likely fail the same way. Not thrown
 * when {@code ip} could not run, timed out or left the change unconfirmed.
 */
public class ChangeRefusedException extends ActuatorException {
    public ChangeRefusedException(String message) {
        super(message);
    }
}
