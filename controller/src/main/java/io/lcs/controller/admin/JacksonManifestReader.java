package io.lcs.controller.admin;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.model.Names;
import io.lcs.model.api.ConflictAck;
import io.lcs.model.api.LcsObject;
import io.lcs.model.api.Move;
import io.lcs.model.api.NodeIntent;
import io.lcs.model.api.ObjectKey;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.net.Cidr;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Interim {@link ManifestReader}: YAML (multi-document, {@code ---}) or JSON (one object or an array
 * of objects), checked for apiVersion, kind, a valid {@code metadata.name}, unknown fields, and for
 * VirtualIP a parseable {@code spec.address} and a {@code spec.interface}. {@code status} is ignored
 * (only controllers write it), so the output of {@code lcs get vip X -o yaml} can be re-applied.
 *
 * <p>TODO(lead): replace with the model's {@code Manifests.read}, which owns the full validation.
 */
public final class JacksonManifestReader implements ManifestReader {
    /** 1000: far above any real cluster's VIP count; bounds the work one request can cause. */
    public static final int MAX_DOCUMENTS = 1000;

    @Override
    public List<LcsObject> read(String source, String text) {
        List<JsonNode> docs = parse(source, text);
        List<LcsObject> objects = new ArrayList<>();
        Set<ObjectKey> seen = new HashSet<>();
        for (int i = 0; i < docs.size(); i++) {
            LcsObject o = convert(source, i + 1, docs.get(i));
            if (!seen.add(o.key())) {
                throw AdminException.invalid(source + ": document " + (i + 1) + ": " + o.key()
                        + " appears more than once", "metadata.name");
            }
            objects.add(o);
        }
        if (objects.isEmpty()) {
            throw AdminException.invalid(source + ": no objects found (expected YAML or JSON documents)", null);
        }
        return objects;
    }

    private static List<JsonNode> parse(String source, String text) {
        String trimmed = text.stripLeading();
        boolean json = trimmed.startsWith("{") || trimmed.startsWith("[");
        ObjectMapper mapper = json ? Json.JSON : Json.YAML;
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = mapper.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue; // an empty YAML document, e.g. a leading '---'
                }
                if (json && node.isArray()) {
                    node.forEach(docs::add);
                } else {
                    docs.add(node);
                }
                if (docs.size() > MAX_DOCUMENTS) {
                    throw AdminException.invalid(source + ": more than " + MAX_DOCUMENTS + " documents", null);
                }
            }
        } catch (JsonProcessingException e) {
            throw AdminException.malformed(source + ": " + (json ? "malformed JSON" : "malformed YAML")
                    + where(e.getLocation()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw AdminException.malformed(source + ": " + e.getMessage());
        }
        return docs;
    }

    private static String where(JsonLocation loc) {
        return loc == null || loc.getLineNr() < 0 ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    private static LcsObject convert(String source, int docNumber, JsonNode node) {
        String doc = source + ": document " + docNumber;
        if (!node.isObject()) {
            throw AdminException.invalid(doc + ": expected an object with apiVersion, kind, metadata, spec", null);
        }
        String apiVersion = node.path("apiVersion").asText(null);
        if (!LcsObject.API_VERSION.equals(apiVersion)) {
            throw AdminException.invalid(doc + ": apiVersion must be '" + LcsObject.API_VERSION + "', got "
                    + (apiVersion == null ? "nothing" : "'" + Names.abbreviate(apiVersion) + "'"), "apiVersion");
        }
        String kind = node.path("kind").asText(null);
        Class<? extends LcsObject> type = switch (kind == null ? "" : kind) {
            case VirtualIP.KIND -> VirtualIP.class;
            case Move.KIND -> Move.class;
            case ConflictAck.KIND -> ConflictAck.class;
            case NodeIntent.KIND -> NodeIntent.class;
            default -> throw AdminException.invalid(doc + ": kind must be one of VirtualIP, Move, ConflictAck, "
                    + "NodeIntent, got " + (kind == null ? "nothing" : "'" + Names.abbreviate(kind) + "'"), "kind");
        };
        String name = node.path("metadata").path("name").asText(null);
        String nameProblem = Names.problem(name);
        if (nameProblem != null) {
            throw AdminException.invalid(doc + " (" + kind + "): metadata.name: " + nameProblem, "metadata.name");
        }
        String what = doc + " (" + kind + "/" + name + ")";
        ObjectNode copy = ((ObjectNode) node).deepCopy();
        copy.remove("status");
        LcsObject object;
        try {
            object = Json.JSON.treeToValue(copy, type);
        } catch (JsonMappingException e) {
            String field = path(e);
            throw AdminException.invalid(what + ": " + (field.isEmpty() ? "" : field + ": ") + e.getOriginalMessage(),
                    field.isEmpty() ? null : field);
        } catch (JsonProcessingException e) {
            throw AdminException.invalid(what + ": " + e.getOriginalMessage(), null);
        }
        if (object instanceof VirtualIP vip) {
            checkVip(what, vip);
        }
        return object;
    }

    private static void checkVip(String what, VirtualIP vip) {
        if (vip.spec() == null) {
            throw AdminException.invalid(what + ": spec is required", "spec");
        }
        try {
            Cidr.parse(vip.spec().address());
        } catch (IllegalArgumentException e) {
            throw AdminException.invalid(what + ": spec.address: " + e.getMessage(), "spec.address");
        }
        String iface = vip.spec().interfaceName();
        if (iface == null || iface.isBlank()) {
            throw AdminException.invalid(what + ": spec.interface is required", "spec.interface");
        }
        if (vip.spec().preferredNodes() != null) {
            for (String n : vip.spec().preferredNodes()) {
                String p = Names.problem(n);
                if (p != null) {
                    throw AdminException.invalid(what + ": spec.preferredNodes: " + p, "spec.preferredNodes");
                }
            }
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
