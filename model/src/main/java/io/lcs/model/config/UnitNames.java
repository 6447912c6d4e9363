package io.lcs.model.config;

import io.lcs.model.Names;
import java.util.regex.Pattern;

/**
 * Which systemd unit names a service may run: one rule and one set of messages for a
 * {@code [service]} section of lcs.conf and a {@code Service} manifest.
 */
public final class UnitNames {
    /** systemd's unit name limit is 255; the C lcs allowed 63 (a longer name there was an error). */
    public static final int MAX_UNIT_NAME = 255;
    private static final Pattern UNIT_NAME = Pattern.compile("[A-Za-z0-9_.@:\\-]+\\.service");

    private UnitNames() {
    }

    /**
     * @return null when {@code unit} names a service unit lcs may manage, otherwise why not, as a
     *     sentence that starts with the name (the caller puts the key or field before it)
     */
    public static String problem(String unit) {
        String quoted = "'" + Names.abbreviate(unit) + "'";
        if (unit.length() > MAX_UNIT_NAME || !UNIT_NAME.matcher(unit).matches()) {
            return quoted + " is not a systemd service unit name: it must end in .service, contain only letters,"
                    + " digits and '_', '.', '@', ':', '-', and be at most " + MAX_UNIT_NAME + " characters";
        }
        if (unit.endsWith("@.service")) {
            return quoted + " is a template; name an instance (e.g. "
                    + unit.substring(0, unit.length() - ".service".length()) + "main.service)";
        }
        if (unit.equals("lcsd.service")) {
            return "lcsd.service is lcs itself; it cannot be a resource it manages";
        }
        return null;
    }
}
