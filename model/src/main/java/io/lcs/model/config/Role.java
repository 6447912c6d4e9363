package io.lcs.model.config;

/** What a node does in the cluster: both kinds vote; only full members may hold VIPs. */
public enum Role {
    /** Votes and may hold VIPs. */
    FULL_MEMBER("full-member"),
    /** Votes only: a witness that breaks ties, never holds a VIP. */
    QUORUM_ONLY("quorum-only");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    /** @return the spelling used in lcs.conf, status output and metric labels */
    public String label() {
        return label;
    }

    /** @return the role spelled {@code label} exactly, or null */
    public static Role fromLabel(String label) {
        for (Role role : values()) {
            if (role.label.equals(label)) {
                return role;
            }
        }
        return null;
    }

    public boolean holdsVips() {
        return this == FULL_MEMBER;
    }
}
