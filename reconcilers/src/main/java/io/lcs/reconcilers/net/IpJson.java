package io.lcs.reconcilers.net;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.model.net.Cidr;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * Parses iproute2's JSON output ({@code ip -j addr show dev IF}, {@code ip -j link show dev IF}).
 * Pure; thread-safe. Unknown members are ignored; a document that is not what iproute2 prints is
 * an {@link ActuatorException} quoting what was wrong.
 */
final class IpJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private IpJson() {
    }

    static List<InterfaceAddress> addresses(String json, String ifname) throws ActuatorException {
        return linkAddresses(single(json, ifname, "ip -j addr show"), ifname);
    }

    /**
     * The addresses of every link in {@code ip -j addr show} (all interfaces), by interface name.
     */
    static java.util.Map<String, List<InterfaceAddress>> allAddresses(String json) throws ActuatorException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ActuatorException("ip -j addr show: output is not JSON: " + e.getOriginalMessage());
        }
        java.util.Map<String, List<InterfaceAddress>> out = new java.util.HashMap<>();
        if (root == null || root.isMissingNode()) {
            return out;
        }
        if (!root.isArray()) {
            throw new ActuatorException("ip -j addr show: expected a JSON array, got " + root.getNodeType());
        }
        for (JsonNode link : root) {
            String name = link.path("ifname").asText("");
            if (!name.isEmpty()) {
                out.put(name, linkAddresses(link, name));
            }
        }
        return out;
    }

    private static List<InterfaceAddress> linkAddresses(JsonNode link, String ifname) throws ActuatorException {
        List<InterfaceAddress> out = new ArrayList<>();
        if (link == null) {
            return out;
        }
        JsonNode info = link.path("addr_info");
        if (!info.isMissingNode() && !info.isArray()) {
            throw new ActuatorException("ip -j addr show dev " + ifname + ": addr_info is not an array");
        }
        for (JsonNode a : info) {
            String family = a.path("family").asText("");
            // iproute2 prints {} for entries removed by its filters: skip anything without a local address
            if (!(family.equals("inet") || family.equals("inet6")) || !a.hasNonNull("local")) {
                continue;
            }
            Cidr cidr;
            try {
                int prefix = a.path("prefixlen").asInt(-1);
                cidr = new Cidr(Cidr.parseAddress(a.get("local").asText()), prefix);
            } catch (IllegalArgumentException e) {
                throw new ActuatorException("ip -j addr show dev " + ifname + ": bad address entry " + a + ": "
                        + e.getMessage());
            }
            EnumSet<AddressFlag> flags = EnumSet.noneOf(AddressFlag.class);
            for (AddressFlag f : AddressFlag.values()) {
                if (a.path(f.jsonName()).asBoolean(false)) {
                    flags.add(f);
                }
            }
            out.add(new InterfaceAddress(cidr, a.path("scope").asText(""),
                    lifetime(a, "valid_life_time", ifname), lifetime(a, "preferred_life_time", ifname), flags));
        }
        return out;
    }

    static LinkState link(String json, String ifname) throws ActuatorException {
        JsonNode link = single(json, ifname, "ip -j link show");
        if (link == null) {
            return LinkState.absent(ifname);
        }
        boolean up = false;
        boolean lowerUp = false;
        boolean noArp = false;
        boolean pointToPoint = false;
        for (JsonNode f : link.path("flags")) {
            up |= f.asText().equals("UP");
            lowerUp |= f.asText().equals("LOWER_UP");
            noArp |= f.asText().equals("NOARP");
            pointToPoint |= f.asText().equals("POINTOPOINT");
        }
        return new LinkState(ifname, true, up, lowerUp, link.path("operstate").asText(""),
                link.path("address").asText("").toLowerCase(Locale.ROOT), link.path("link_type").asText(""), noArp,
                pointToPoint);
    }

    /** The one link object in the array, or null for an empty array. */
    private static JsonNode single(String json, String ifname, String command) throws ActuatorException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ActuatorException(command + " dev " + ifname + ": output is not JSON: "
                    + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            return null; // empty output
        }
        if (!root.isArray()) {
            throw new ActuatorException(command + " dev " + ifname + ": expected a JSON array, got " + root.getNodeType());
        }
        for (JsonNode link : root) {
            if (ifname.equals(link.path("ifname").asText())) {
                return link;
            }
        }
        if (root.size() == 0) {
            return null;
        }
        throw new ActuatorException(command + " dev " + ifname + ": output does not describe " + ifname);
    }

    private static Lifetime lifetime(JsonNode a, String member, String ifname) throws ActuatorException {
        JsonNode v = a.get(member);
        if (v == null) {
            return Lifetime.FOREVER; // iproute2 omits lifetimes only for permanent entries
        }
        if (!v.canConvertToLong() || v.asLong() < 0 || v.asLong() > Lifetime.FOREVER_SECONDS) {
            throw new ActuatorException("ip -j addr show dev " + ifname + ": " + member + " " + v + " is not 0.."
                    + Lifetime.FOREVER_SECONDS);
        }
        return Lifetime.ofSeconds(v.asLong());
    }
}
