package io.lcs.reconcilers.net;

/** The named interface does not exist (in the actuator's network namespace). */
public class NoSuchInterfaceException extends ActuatorException {
    private final String ifname;

    public NoSuchInterfaceException(String ifname, String message) {
        super(message);
        this.ifname = ifname;
    }

    public String ifname() {
        return ifname;
    }
}
