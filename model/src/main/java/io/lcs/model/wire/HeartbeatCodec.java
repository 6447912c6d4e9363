package io.lcs.model.wire;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The binary form of {@link Message.Heartbeat}, the one message every link carries several times a
 * second: in JSON it was ~190 bytes, most of them the decimal digits of nine 64-bit numbers and the
 * field names; here an idle heartbeat is 73 bytes, and neither side builds a JSON tree for it.
 *
 * <p>Layout (big-endian; {@code uvar} is an unsigned LEB128 varint of at most 10 bytes,
 * {@code str} is {@code uvar(n + 1)} then n bytes of UTF-8, with {@code uvar(0)} for null):
 * <pre>
 *   byte  {@value #TYPE}
 *   long  ch, in, sd, td, sn, en, lt, at
 *   byte  flags: bit 0 = rs (restarting); other bits 0
 *   uvar  hg, ag, cg, ca   (zigzag-coded: any long)
 *   str   am
 *   uvar  dc count + 1 (0 = null), then str per name
 *   uvar  cs count + 1 (0 = null), then per report: str n, byte p (0/1), str s
 * </pre>
 * The type byte can never begin a JSON message (those begin with '{'), so {@link WireCodec} tells
 * the two apart by it. Decoding checks every length and count (as unsigned) against the bytes
 * left, and rejects bytes after the last field, a varint that is not canonical or over 64 bits,
 * a name or summary that is not valid UTF-8, and null list entries.
 */
final class HeartbeatCodec {
    static final byte TYPE = 0x01;
    private static final int FIXED_LONGS = 8;

    private HeartbeatCodec() {
    }

    /**
     * @throws IllegalStateException if {@code declined} or {@code checks} holds a null (the producers
     *     build them with {@code List.copyOf}, which cannot)
     */
    static byte[] encode(Message.Heartbeat h) {
        if (hasNull(h.declined()) || hasNull(h.checks())) {
            throw new IllegalStateException("cannot encode Heartbeat: a null entry in declined or checks");
        }
        int capacity = 1 + FIXED_LONGS * Long.BYTES + 1 + 4 * 10 + 2 * 10 + maxBytes(h.ackMissing());
        for (String d : orEmpty(h.declined())) {
            capacity += maxBytes(d);
        }
        for (Message.CheckReport r : orEmpty(h.checks())) {
            capacity += 1 + maxBytes(r.check()) + maxBytes(r.summary());
        }
        ByteBuffer out = ByteBuffer.allocate(capacity);
        out.put(TYPE)
                .putLong(h.configHash()).putLong(h.incarnation()).putLong(h.storeDigest())
                .putLong(h.tombstoneDigest()).putLong(h.sentNanos()).putLong(h.echoNanos())
                .putLong(h.leaseTable()).putLong(h.ackSentNanos())
                .put((byte) (h.restarting() ? 1 : 0));
        putZigzag(out, h.heldGen());
        putZigzag(out, h.ackGen());
        putZigzag(out, h.checkGeneration());
        putZigzag(out, h.checkAck());
        putString(out, h.ackMissing());
        putCount(out, h.declined());
        for (String d : orEmpty(h.declined())) {
            putString(out, d);
        }
        putCount(out, h.checks());
        for (Message.CheckReport r : orEmpty(h.checks())) {
            putString(out, r.check());
            out.put((byte) (r.passing() ? 1 : 0));
            putString(out, r.summary());
        }
        byte[] result = new byte[out.position()];
        out.flip().get(result);
        return result;
    }

    static Message.Heartbeat decode(byte[] frame) throws WireCodec.WireFormatException {
        ByteBuffer in = ByteBuffer.wrap(frame);
        try {
            if (in.get() != TYPE) {
                throw malformed("not a binary heartbeat");
            }
            long ch = in.getLong();
            long inc = in.getLong();
            long sd = in.getLong();
            long td = in.getLong();
            long sn = in.getLong();
            long en = in.getLong();
            long lt = in.getLong();
            long at = in.getLong();
            byte flags = in.get();
            if ((flags & ~1) != 0) {
                throw malformed("unknown flags " + (flags & 0xff));
            }
            long hg = getZigzag(in);
            long ag = getZigzag(in);
            long cg = getZigzag(in);
            long ca = getZigzag(in);
            String am = getString(in, "am");
            List<String> dc = null;
            int declined = getCount(in, 1, "dc");
            if (declined >= 0) {
                List<String> names = new ArrayList<>(declined);
                for (int i = 0; i < declined; i++) {
                    names.add(nonNull(getString(in, "dc"), "dc"));
                }
                dc = Collections.unmodifiableList(names);
            }
            List<Message.CheckReport> cs = null;
            int reports = getCount(in, 3, "cs");
            if (reports >= 0) {
                List<Message.CheckReport> list = new ArrayList<>(reports);
                for (int i = 0; i < reports; i++) {
                    String name = getString(in, "cs name");
                    byte passing = in.get();
                    if (passing != 0 && passing != 1) {
                        throw malformed("cs passing is " + passing + ", not 0 or 1");
                    }
                    list.add(new Message.CheckReport(name, passing == 1, getString(in, "cs summary")));
                }
                cs = Collections.unmodifiableList(list);
            }
            if (in.hasRemaining()) {
                throw malformed(in.remaining() + " bytes after the last field");
            }
            return new Message.Heartbeat(ch, inc, sd, td, sn, en, (flags & 1) != 0, dc, lt, hg, ag, at, am, cg, ca,
                    cs);
        } catch (BufferUnderflowException e) {
            throw malformed("truncated at byte " + in.position() + " of " + frame.length);
        }
    }

    /** Not {@code list.contains(null)}: an immutable list throws on that. */
    private static boolean hasNull(List<?> list) {
        if (list != null) {
            for (Object o : list) {
                if (o == null) {
                    return true;
                }
            }
        }
        return false;
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    /** Room for {@code s} as {@code str}: its length varint and at most 3 bytes of UTF-8 per UTF-16 char. */
    private static int maxBytes(String s) {
        return 10 + (s == null ? 0 : 3 * s.length());
    }

    /** UTF-8; an unpaired surrogate (never produced: summaries are cut at code points) becomes '?'. */
    private static void putString(ByteBuffer out, String s) {
        if (s == null) {
            putUnsigned(out, 0);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        putUnsigned(out, bytes.length + 1L);
        out.put(bytes);
    }

    private static void putCount(ByteBuffer out, List<?> list) {
        putUnsigned(out, list == null ? 0 : list.size() + 1L);
    }

    private static void putZigzag(ByteBuffer out, long v) {
        putUnsigned(out, (v << 1) ^ (v >> 63));
    }

    private static void putUnsigned(ByteBuffer out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    /** A canonical varint: no redundant trailing zero group, and a 10th byte of at most 1 (64 bits). */
    private static long getUnsigned(ByteBuffer in) throws WireCodec.WireFormatException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            if (shift == 63 && (b & 0xFF) > 1) {
                throw malformed("varint longer than 64 bits");
            }
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                if (b == 0 && shift > 0) {
                    throw malformed("varint with a redundant zero byte");
                }
                return v;
            }
        }
        throw malformed("varint longer than 10 bytes"); // not reached: the 10th byte returns or throws above
    }

    private static long getZigzag(ByteBuffer in) throws WireCodec.WireFormatException {
        long v = getUnsigned(in);
        return (v >>> 1) ^ -(v & 1);
    }

    /** A list's count (-1 for null), each entry needing at least {@code minBytes}: never more than the bytes left. */
    private static int getCount(ByteBuffer in, int minBytes, String field) throws WireCodec.WireFormatException {
        long c = getUnsigned(in);
        if (c == 0) {
            return -1;
        }
        if (Long.compareUnsigned(c - 1, in.remaining() / minBytes) > 0) {
            throw malformed(field + " has " + Long.toUnsignedString(c - 1) + " entries, more than the " + in.remaining()
                    + " bytes left can hold");
        }
        return (int) (c - 1);
    }

    private static String getString(ByteBuffer in, String field) throws WireCodec.WireFormatException {
        long n = getUnsigned(in);
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return ""; // am of every idle heartbeat: no decoder for it
        }
        if (Long.compareUnsigned(n - 1, in.remaining()) > 0) {
            throw malformed(field + " of " + Long.toUnsignedString(n - 1) + " bytes, " + in.remaining() + " left");
        }
        ByteBuffer bytes = in.slice();
        bytes.limit((int) (n - 1));
        in.position(in.position() + (int) (n - 1));
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw malformed(field + " is not valid UTF-8");
        }
    }

    private static String nonNull(String s, String field) throws WireCodec.WireFormatException {
        if (s == null) {
            throw malformed(field + " holds a null entry");
        }
        return s;
    }

    private static WireCodec.WireFormatException malformed(String why) {
        return new WireCodec.WireFormatException("malformed heartbeat: " + why, null);
    }
}
