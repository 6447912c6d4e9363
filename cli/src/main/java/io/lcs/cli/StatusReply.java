package io.lcs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.lcs.model.api.Condition;
import io.lcs.model.status.ClusterStatus;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code GET /api/v1/status} reply (already parsed by Jackson into a tree) into a
 * {@link ClusterStatus} field by field, without Jackson's data binding: building the record
 * deserializers by reflection was the largest single cost of {@code lcs status} (about 60 ms of
 * its start-up, docs/footprint.md). Gives the same record as {@code Replies.convert(reply,
 * ClusterStatus.class)} for every reply lcsd sends (StatusReplyTest compares them), with the same
 * rules: unknown fields are ignored; an absent field is null, or false/0 for a primitive; a field of
 * the wrong type (an object for a string, a null for a primitive, a number with a fraction for an
 * integer) is an "unexpected reply" error (exit 1) naming the field. One difference: a scalar of
 * the wrong kind (a number for a string, a numeric string for a number), which data binding would
 * coerce, is refused too. Stateless.
 */
final class StatusReply {
    private StatusReply() {
    }

    static ClusterStatus read(JsonNode reply) {
        try {
            return status(reply);
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new CliException(Lcs.EXIT_ERROR, "unexpected reply from lcsd (ClusterStatus): " + e.getMessage());
        }
    }

    private static ClusterStatus status(JsonNode n) {
        requireObject(n, "the reply");
        JsonNode q = object(n, "quorum");
        ClusterStatus.Quorum quorum = q == null ? null : new ClusterStatus.Quorum(bool(q, "present"),
                integer(q, "votesSeen"), integer(q, "votesNeeded"), integer(q, "votesTotal"),
                decimal(q, "membershipSeconds"));
        List<ClusterStatus.NodeStatus> nodes = null;
        JsonNode ns = array(n, "nodes");
        if (ns != null) {
            nodes = new ArrayList<>(ns.size());
            for (JsonNode x : ns) {
                requireObject(x, "nodes[]");
                nodes.add(new ClusterStatus.NodeStatus(text(x, "name"), text(x, "role"), bool(x, "online"),
                        bool(x, "self"), bool(x, "configMatch"), decimal(x, "lastSeenSeconds"), decimal(x, "rttMillis"),
                        bool(x, "cordoned"), bool(x, "restarting"), nodeChecks(x)));
            }
        }
        List<ClusterStatus.VipStatus> vips = null;
        JsonNode vs = array(n, "vips");
        if (vs != null) {
            vips = new ArrayList<>(vs.size());
            for (JsonNode x : vs) {
                requireObject(x, "vips[]");
                vips.add(new ClusterStatus.VipStatus(text(x, "name"), text(x, "address"), text(x, "interfaceName"),
                        text(x, "state"), text(x, "owner"), integral(x, "epoch"), decimal(x, "leaseRemainingSeconds"),
                        integral(x, "failovers"), conditions(x), integral(x, "moves"), text(x, "group"),
                        x.has("priority") ? integer(x, "priority") : null, text(x, "homeNode"),
                        bool(x, "homeBlocked") ? Boolean.TRUE : null, bool(x, "disabled") ? Boolean.TRUE : null,
                        strings(x, "checks"), eligibility(x), text(x, "type"), text(x, "systemdUnit"),
                        bool(x, "hookOnly") ? Boolean.TRUE : null,
                        x.has("announce") && !bool(x, "announce") ? Boolean.FALSE : null));
            }
        }
        return new ClusterStatus(text(n, "cluster"), text(n, "node"), text(n, "version"), quorum, nodes, vips,
                bool(n, "stale"), checkInfos(n));
    }

    private static List<ClusterStatus.NodeCheck> nodeChecks(JsonNode node) {
        JsonNode cs = array(node, "checks");
        if (cs == null) {
            return null;
        }
        List<ClusterStatus.NodeCheck> out = new ArrayList<>(cs.size());
        for (JsonNode c : cs) {
            requireObject(c, "checks[]");
            out.add(new ClusterStatus.NodeCheck(text(c, "name"), bool(c, "passing"), text(c, "summary")));
        }
        return out;
    }

    private static List<ClusterStatus.Eligibility> eligibility(JsonNode vip) {
        JsonNode es = array(vip, "eligibility");
        if (es == null) {
            return null;
        }
        List<ClusterStatus.Eligibility> out = new ArrayList<>(es.size());
        for (JsonNode e : es) {
            requireObject(e, "eligibility[]");
            out.add(new ClusterStatus.Eligibility(text(e, "node"), bool(e, "eligible"), text(e, "reason")));
        }
        return out;
    }

    private static List<ClusterStatus.CheckInfo> checkInfos(JsonNode status) {
        JsonNode cs = array(status, "checks");
        if (cs == null) {
            return null;
        }
        List<ClusterStatus.CheckInfo> out = new ArrayList<>(cs.size());
        for (JsonNode c : cs) {
            requireObject(c, "checks[]");
            out.add(new ClusterStatus.CheckInfo(text(c, "name"), text(c, "type"), text(c, "target"),
                    integer(c, "intervalMs"), integer(c, "timeoutMs"), integer(c, "fall"), integer(c, "rise"),
                    integer(c, "holdMs"), decimal(c, "lastDurationSeconds"), text(c, "lastOutput")));
        }
        return out;
    }

    private static List<String> strings(JsonNode n, String field) {
        JsonNode a = array(n, field);
        if (a == null) {
            return null;
        }
        List<String> out = new ArrayList<>(a.size());
        for (JsonNode x : a) {
            if (!x.isTextual()) {
                throw new IllegalArgumentException("field " + field + "[] is not a string: " + x);
            }
            out.add(x.textValue());
        }
        return out;
    }

    private static List<Condition> conditions(JsonNode vip) {
        JsonNode cs = array(vip, "conditions");
        if (cs == null) {
            return null;
        }
        List<Condition> out = new ArrayList<>(cs.size());
        for (JsonNode c : cs) {
            requireObject(c, "conditions[]");
            JsonNode gen = present(c, "observedGeneration");
            out.add(new Condition(text(c, "type"), text(c, "status"), text(c, "reason"), text(c, "message"),
                    instant(c, "lastTransitionTime"), gen == null ? null : integral(c, "observedGeneration")));
        }
        return out;
    }

    // ---- one field each: absent and null are told apart as data binding does -------------------

    /** The field's value, or null when absent or JSON null. */
    private static JsonNode present(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v;
    }

    private static void requireObject(JsonNode n, String what) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(what + " is not a JSON object");
        }
    }

    private static JsonNode object(JsonNode n, String field) {
        JsonNode v = present(n, field);
        if (v != null && !v.isObject()) {
            throw new IllegalArgumentException("field " + field + " is not an object");
        }
        return v;
    }

    private static JsonNode array(JsonNode n, String field) {
        JsonNode v = present(n, field);
        if (v != null && !v.isArray()) {
            throw new IllegalArgumentException("field " + field + " is not an array");
        }
        return v;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = present(n, field);
        if (v != null && !v.isTextual()) {
            throw new IllegalArgumentException("field " + field + " is not a string: " + v);
        }
        return v == null ? null : v.textValue();
    }

    /** A primitive boolean: absent is false, null or another type an error. */
    private static boolean bool(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("field " + field + " is not a boolean: " + v);
        }
        return v.booleanValue();
    }

    /** A primitive long: absent is 0; null, a fraction or another type an error. */
    private static long integral(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException("field " + field + " is not a 64-bit integer: " + v);
        }
        return v.longValue();
    }

    private static int integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v != null && !v.canConvertToInt()) {
            throw new IllegalArgumentException("field " + field + " is not a 32-bit integer: " + v);
        }
        return (int) integral(n, field);
    }

    private static Double decimal(JsonNode n, String field) {
        JsonNode v = present(n, field);
        if (v != null && !v.isNumber()) {
            throw new IllegalArgumentException("field " + field + " is not a number: " + v);
        }
        return v == null ? null : v.doubleValue();
    }

    /** As the API writes instants (and LcsJson reads them): ISO-8601 with an offset. */
    private static Instant instant(JsonNode n, String field) {
        String t = text(n, field);
        return t == null ? null : DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(t, OffsetDateTime::from).toInstant();
    }
}
