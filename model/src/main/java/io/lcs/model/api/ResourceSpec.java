package io.lcs.model.api;

import io.lcs.model.config.Grouping;
import java.util.List;

/**
 * The fields a {@link VirtualIP} and a {@link Service} share: where the resource may run, its hooks,
 * its group, priority, home node and dependencies, and the health checks it needs. One set of rules
 * ({@link ObjectValidator}, {@link DesiredStateValidator}) checks them for both kinds.
 */
public interface ResourceSpec {
    List<String> preferredNodes();

    VirtualIP.Hooks hooks();

    String group();

    Integer priority();

    String homeNode();

    List<String> dependsOn();

    List<String> checks();

    String onNoHealthyNode();

    /** {@code onNoHealthyNode: stop} (lcs.conf {@code on_no_healthy_node = stop}); the default is keep. */
    default boolean stopWhenNoHealthyNode() {
        return "stop".equals(onNoHealthyNode());
    }

    /** Its group, priority, home node and dependencies as the placement rules read them. */
    default Grouping grouping() {
        return new Grouping(group(), priority(), homeNode(), dependsOn());
    }
}
