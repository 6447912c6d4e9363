package io.lcs.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A systemd unit that must run on exactly one healthy full-member: the {@code [service NAME]} section
 * of lcs.conf as a manifest. It has a unit where a {@link VirtualIP} has an address and an interface,
 * and every other field of a VirtualIP: placement, hooks, group, priority, home node, dependencies,
 * checks. A Service and a VirtualIP share one name space (one lease per name).
 *
 * <pre>
 * apiVersion: lcs/v1
 * kind: Service
 * metadata: {name: web-app}
 * spec: {systemdUnit: haproxy.service, group: web, dependsOn: [web-ip]}
 * </pre>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
public record Service(String apiVersion, String kind, ObjectMeta metadata, Spec spec, VirtualIP.Status status)
        implements LcsObject {
    public static final String KIND = "Service";

    public static Service of(ObjectMeta metadata, Spec spec) {
        return new Service(API_VERSION, KIND, metadata, spec, null);
    }

    /**
     * @param systemdUnit the unit lcs starts on the node holding the lease and stops everywhere else
     *     ({@code systemd_unit} in lcs.conf), e.g. {@code haproxy.service}; null for a service that is
     *     only its hooks ({@code hooks.preStart} attaches it at a cloud provider, {@code hooks.postStop}
     *     detaches it: docs/services.md, "Clouds and routed networks")
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Spec(String systemdUnit, List<String> preferredNodes, VirtualIP.Hooks hooks, String group,
                       Integer priority, String homeNode, List<String> dependsOn, List<String> checks,
                       String onNoHealthyNode) implements ResourceSpec {
        /** True for a service that is only its hooks (no unit). */
        public boolean hookOnly() {
            return systemdUnit == null;
        }

        /** A service in no group, without dependencies or checks. */
        public Spec(String systemdUnit) {
            this(systemdUnit, null, null, null, null, null, null, null, null);
        }
    }
}
