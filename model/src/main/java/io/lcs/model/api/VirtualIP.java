package io.lcs.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.List;

/** A floating address that must be active on exactly one healthy full-member. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
public record VirtualIP(String apiVersion, String kind, ObjectMeta metadata, Spec spec, Status status)
        implements LcsObject {
    public static final String KIND = "VirtualIP";

    public static VirtualIP of(ObjectMeta metadata, Spec spec) {
        return new VirtualIP(API_VERSION, KIND, metadata, spec, null);
    }

    /**
     * @param address CIDR text, e.g. {@code 198.18.0.201/24} or {@code 2001:db8::201/64}
     * @param interfaceName the link to add it to ({@code interface} in YAML and lcs.conf)
     * @param preferredNodes placement order among eligible full-members; empty means any
     * @param hooks absolute paths of the hook programs; null means none
     * @param checks the health checks ({@code [check]} sections of lcs.conf or {@code HealthCheck}s) that
     *     must pass on a node for it to hold the VIP; empty means none
     * @param onNoHealthyNode {@code keep} (the default: the owner keeps it, and says so, while no node
     *     passes its checks) or {@code stop}
     * @param announce false: the address is added without gratuitous ARP / unsolicited NA (a cloud
     *     provider's API, called by the hooks, moves it; lcs.conf {@code announce = false}); null or
     *     true: announced
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Spec(String address, @com.fasterxml.jackson.annotation.JsonProperty("interface") String interfaceName,
                       List<String> preferredNodes, Hooks hooks, String group, Integer priority, String homeNode,
                       List<String> dependsOn, List<String> checks, String onNoHealthyNode, Boolean announce)
            implements ResourceSpec {
        /** An announced VIP. */
        public Spec(String address, String interfaceName, List<String> preferredNodes, Hooks hooks, String group,
                    Integer priority, String homeNode, List<String> dependsOn, List<String> checks,
                    String onNoHealthyNode) {
            this(address, interfaceName, preferredNodes, hooks, group, priority, homeNode, dependsOn, checks,
                    onNoHealthyNode, null);
        }

        /** False only with {@code announce: false}. */
        public boolean announced() {
            return !Boolean.FALSE.equals(announce);
        }

        /** A VIP in no group, without priority, home node, dependencies or checks. */
        public Spec(String address, String interfaceName, List<String> preferredNodes, Hooks hooks) {
            this(address, interfaceName, preferredNodes, hooks, null, null, null, null);
        }

        /** A VIP without checks. */
        public Spec(String address, String interfaceName, List<String> preferredNodes, Hooks hooks, String group,
                    Integer priority, String homeNode, List<String> dependsOn) {
            this(address, interfaceName, preferredNodes, hooks, group, priority, homeNode, dependsOn, null, null);
        }
    }

    /** Absolute paths run as argv (no shell); any may be null. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hooks(String preStart, String postStart, String preStop, String postStop) {
    }

    /** Observed by controllers only; {@code state} is active, pending, conflict, stopped or failed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Status(String state, String owner, Long epoch, Double leaseRemainingSeconds, Long failovers,
                         Instant lastTransitionTime, Long observedGeneration, List<Condition> conditions) {
    }
}
