package io.lcs.cli;

import io.lcs.model.api.ObjectMeta;
import io.lcs.model.api.ResourceSpec;
import io.lcs.model.api.Service;
import io.lcs.model.api.VirtualIP;

/**
 * A VirtualIP or a Service as the CLI shows either: what they share, plus the address and interface
 * of a VIP or the unit of a service.
 *
 * @param spec null when the reply had none
 */
record ResourceView(String kind, ObjectMeta metadata, ResourceSpec spec, VirtualIP.Status status, String address,
                    String interfaceName, String unit) {

    static ResourceView of(VirtualIP v) {
        VirtualIP.Spec sp = v.spec();
        return new ResourceView(VirtualIP.KIND, v.metadata(), sp, v.status(), sp == null ? null : sp.address(),
                sp == null ? null : sp.interfaceName(), null);
    }

    static ResourceView of(Service s) {
        Service.Spec sp = s.spec();
        return new ResourceView(Service.KIND, s.metadata(), sp, s.status(), null, null,
                sp == null ? null : sp.systemdUnit());
    }

    boolean isService() {
        return Service.KIND.equals(kind);
    }

    /** {@code virtualip/NAME} or {@code service/NAME}, as kubectl names objects. */
    String ref() {
        return kind.toLowerCase(java.util.Locale.ROOT) + "/" + metadata.name();
    }

    /** The API path of the resource {@code name} of this kind. */
    static String path(boolean service, String name) {
        return (service ? "/api/v1/services/" : "/api/v1/vips/") + name;
    }

    /** Reads {@code name} as a VirtualIP or, when there is none of that name, as a Service. */
    static ResourceView find(AdminClient client, String name) {
        try {
            return get(client, false, name);
        } catch (CliException e) {
            if (!"NOT_FOUND".equals(e.apiCode())) {
                throw e;
            }
            try {
                return get(client, true, name);
            } catch (CliException e2) {
                if ("NOT_FOUND".equals(e2.apiCode())) {
                    throw new CliException(e2.exitCode(), "there is no VirtualIP or Service '" + name + "'",
                            e2.apiCode());
                }
                throw e2;
            }
        }
    }

    /** Reads the VirtualIP ({@code service} false) or Service {@code name}. */
    static ResourceView get(AdminClient client, boolean service, String name) {
        return service ? of(Replies.convert(client.get(path(true, name)), Service.class))
                : of(Replies.convert(client.get(path(false, name)), VirtualIP.class));
    }
}
