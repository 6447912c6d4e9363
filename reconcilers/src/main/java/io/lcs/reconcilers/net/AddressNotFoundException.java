package io.lcs.reconcilers.net;

/** The address to refresh is not on the interface (it expired or was removed); nothing was changed. */
public class AddressNotFoundException extends ActuatorException {
    public AddressNotFoundException(String message) {
        super(message);
    }
}
