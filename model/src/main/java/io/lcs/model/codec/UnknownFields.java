package io.lcs.model.codec;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lcs.model.api.FieldProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds every field of a document that its record does not have, before Jackson reads it (Jackson
 * stops at the first), and returns a copy of the tree without them, so the remaining type errors
 * can still be found. Paths are exact ({@code spec.hooks.preStrat}); each unknown field gets a
 * did-you-mean or the list of known fields. Properties come from Jackson's own introspection of the
 * records, so renames ({@code interface}) are honoured. Thread-safe (the per-type cache is concurrent).
 */
final class UnknownFields {
    private static final Map<JavaType, Map<String, JavaType>> PROPERTIES = new ConcurrentHashMap<>();

    private UnknownFields() {
    }

    /** @return {@code tree} without unknown fields (the same instance if it had none) */
    static JsonNode prune(JsonNode tree, JavaType type, String path, List<FieldProblem> problems, int depth) {
        if (tree == null || depth > LcsJson.MAX_NESTING_DEPTH) {
            return tree;
        }
        if (type.isCollectionLikeType() || type.isArrayType()) {
            if (!(tree instanceof ArrayNode array)) {
                return tree;
            }
            ArrayNode copy = null;
            for (int i = 0; i < array.size(); i++) {
                JsonNode element = array.get(i);
                JsonNode pruned = prune(element, type.getContentType(), FieldPaths.index(path, i), problems, depth + 1);
                if (pruned != element) {
                    copy = copy != null ? copy : array.deepCopy();
                    copy.set(i, pruned);
                }
            }
            return copy != null ? copy : tree;
        }
        if (type.isMapLikeType()) {
            if (!(tree instanceof ObjectNode object)) {
                return tree;
            }
            ObjectNode copy = null;
            for (Map.Entry<String, JsonNode> e : object.properties()) {
                JsonNode pruned = prune(e.getValue(), type.getContentType(), FieldPaths.child(path, e.getKey()),
                        problems, depth + 1);
                if (pruned != e.getValue()) {
                    copy = copy != null ? copy : object.deepCopy();
                    copy.set(e.getKey(), pruned);
                }
            }
            return copy != null ? copy : tree;
        }
        if (!type.getRawClass().isRecord() || !(tree instanceof ObjectNode object)) {
            return tree; // scalars, trees, and type mismatches: Jackson reports those
        }
        Map<String, JavaType> known = properties(type);
        ObjectNode copy = null;
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            JavaType propertyType = known.get(e.getKey());
            String childPath = FieldPaths.child(path, e.getKey());
            if (propertyType == null) {
                unknown.add(e.getKey());
                problems.add(new FieldProblem(childPath, Manifests.unknownField(e.getKey(), List.copyOf(known.keySet()))));
                continue;
            }
            JsonNode pruned = prune(e.getValue(), propertyType, childPath, problems, depth + 1);
            if (pruned != e.getValue()) {
                copy = copy != null ? copy : object.deepCopy();
                copy.set(e.getKey(), pruned);
            }
        }
        if (!unknown.isEmpty()) {
            copy = copy != null ? copy : object.deepCopy();
            copy.remove(unknown);
        }
        return copy != null ? copy : tree;
    }

    private static Map<String, JavaType> properties(JavaType type) {
        return PROPERTIES.computeIfAbsent(type, t -> {
            DeserializationConfig config = LcsJson.json().getDeserializationConfig();
            BeanDescription description = config.introspect(t);
            Map<String, JavaType> result = new LinkedHashMap<>();
            for (BeanPropertyDefinition p : description.findProperties()) {
                if (p.couldDeserialize()) {
                    result.put(p.getName(), p.getPrimaryType());
                }
            }
            return Map.copyOf(result);
        });
    }
}
