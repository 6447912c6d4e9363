package io.lcs.model;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this build of lcs, as Maven stamped it into {@code version.properties}. */
public final class LcsVersion {
    private static final String VERSION = load();

    private LcsVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = LcsVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}
