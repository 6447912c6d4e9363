package io.lcs.model.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The binary heartbeat: every field survives, an idle one is small, and no malformed frame decodes. */
class HeartbeatCodecTest {
    /** An idle owner's heartbeat with realistic values: 64-bit hashes, monotonic nanos, small generations. */
    private static final Message.Heartbeat IDLE = new Message.Heartbeat(-8123456789012345678L, 5123456789012345678L,
            -3123456789012345678L, 4123456789012345678L, 912345678901234L, 912345600000000L, false, List.of(),
            -7123456789012345678L, 3, 2, 912345550000000L, "", 0, 0, null);

    @Test
    void everyFieldSurvivesAtItsExtremes() throws Exception {
        for (long v : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 63 >>> 1, 127, 128, -64, -65}) {
            Message.Heartbeat h = new Message.Heartbeat(v, ~v, v + 1, v - 1, v * 3, -v, v % 2 == 0, List.of("web", "db"),
                    v ^ 0x5555, v, -v, v >>> 3, "AQ", v >> 1, v << 1,
                    List.of(new Message.CheckReport("http", true, "passing"),
                            new Message.CheckReport("tcp", false, "failing 3/3: connection refused")));
            assertEquals(h, WireCodec.decode(WireCodec.encode(h)), "value " + v);
        }
    }

    @Test
    void nullsEmptiesAndNonAsciiSurvive() throws Exception {
        List<Message.Heartbeat> cases = List.of(
                new Message.Heartbeat(1, 2, 3, 4, 5, 6, true, null, 7, 0, 0, 0, null, 0, 0, null),
                new Message.Heartbeat(1, 2, 3, 4, 5, 6, false, List.of(), 7, 0, 0, 0, "", 1, 0, List.of()),
                new Message.Heartbeat(1, 2, 3, 4, 5, 6, false, List.of("vip-é"), 7, 0, 0, 0, "//8", 1, 0,
                        List.of(new Message.CheckReport("ché€k", false, null),
                                new Message.CheckReport(null, true, "𝄞 ok"))));
        for (Message.Heartbeat h : cases) {
            assertEquals(h, WireCodec.decode(WireCodec.encode(h)));
        }
    }

    @Test
    void anIdleHeartbeatIsAThirdOfItsJsonForm() {
        byte[] binary = WireCodec.encode(IDLE);
        assertEquals(HeartbeatCodec.TYPE, binary[0]);
        // type, 8 longs, flags, 4 one-byte generations, am, dc, cs
        assertEquals(1 + 8 * 8 + 1 + 4 + 1 + 1 + 1, binary.length);
        int json = ("{\"t\":\"hb\",\"ch\":-8123456789012345678,\"in\":5123456789012345678,\"sd\":-3123456789012345678,"
                + "\"td\":4123456789012345678,\"sn\":912345678901234,\"en\":912345600000000,\"rs\":false,\"dc\":[],"
                + "\"lt\":-7123456789012345678,\"hg\":3,\"ag\":2,\"at\":912345550000000,\"am\":\"\",\"cg\":0,\"ca\":0,"
                + "\"cs\":null}").length();
        assertTrue(binary.length * 3 < json, binary.length + " bytes, JSON " + json);
    }

    @Test
    void otherMessagesStayJson() throws Exception {
        Message.HeldSet ack = new Message.HeldSet(2, 7, 0, "", List.of("db", "web"), List.of(3L, 1L));
        byte[] bytes = WireCodec.encode(ack);
        assertEquals('{', bytes[0]);
        assertEquals(ack, WireCodec.decode(bytes));
    }

    @Test
    void everyTruncationAndAnyTrailingByteIsRejected() {
        Message.Heartbeat h = new Message.Heartbeat(1, 2, 3, 4, 5, 6, false, List.of("web"), 7, 300, 2, 9, "AQ", 5, 4,
                List.of(new Message.CheckReport("http", true, "passing")));
        byte[] full = WireCodec.encode(h);
        for (int n = 1; n < full.length; n++) {
            byte[] cut = Arrays.copyOf(full, n);
            assertThrows(WireCodec.WireFormatException.class, () -> WireCodec.decode(cut), "cut to " + n + " bytes");
        }
        byte[] longer = Arrays.copyOf(full, full.length + 1);
        WireCodec.WireFormatException e = assertThrows(WireCodec.WireFormatException.class,
                () -> WireCodec.decode(longer));
        assertEquals("malformed heartbeat: 1 bytes after the last field", e.getMessage());
    }

    @Test
    void badFieldsAreNamed() {
        byte[] idle = WireCodec.encode(IDLE);
        int flags = 1 + 8 * 8;
        int am = flags + 1 + 4;

        byte[] unknownFlag = idle.clone();
        unknownFlag[flags] = 2;
        assertRejected(unknownFlag, "malformed heartbeat: unknown flags 2");

        byte[] longAm = idle.clone();
        longAm[am] = 100; // 99 bytes of am, 2 left
        assertRejected(longAm, "malformed heartbeat: am of 99 bytes, 2 left");

        byte[] manyDeclined = idle.clone();
        manyDeclined[am + 1] = 0x7f; // 126 names in the 1 byte left
        assertRejected(manyDeclined, "malformed heartbeat: dc has 126 entries, more than the 1 bytes left can hold");

        byte[] badUtf8 = Arrays.copyOf(idle, idle.length + 1);
        badUtf8[am] = 2; // am of one byte
        badUtf8[am + 1] = (byte) 0xC3; // a lead byte with no continuation
        badUtf8[am + 2] = 1; // dc: empty
        badUtf8[am + 3] = 0; // cs: null
        assertRejected(badUtf8, "malformed heartbeat: am is not valid UTF-8");

        byte[] nullName = Arrays.copyOf(idle, idle.length + 1);
        nullName[am + 1] = 2; // one declined name
        nullName[am + 2] = 0; // ... which is null
        nullName[am + 3] = 0; // cs: null
        assertRejected(nullName, "malformed heartbeat: dc holds a null entry");

        byte[] overlong = new byte[idle.length + 10];
        System.arraycopy(idle, 0, overlong, 0, flags + 1);
        Arrays.fill(overlong, flags + 1, flags + 12, (byte) 0x80); // hg: 11 continuation bytes
        assertRejected(overlong, "malformed heartbeat: varint longer than 64 bits");

        byte[] passing = WireCodec.encode(new Message.Heartbeat(1, 2, 3, 4, 5, 6, false, List.of(), 7, 0, 0, 0, "",
                1, 0, List.of(new Message.CheckReport("c", true, "s"))));
        passing[passing.length - 3] = 2; // the passing byte, before the summary "s" (length byte + 1)
        assertRejected(passing, "malformed heartbeat: cs passing is 2, not 0 or 1");
    }

    @Test
    void varintsBeyond64BitsNegativeCountsAndLengthsAndRedundantBytesAreRejected() {
        byte[] idle = WireCodec.encode(IDLE);
        int am = 1 + 8 * 8 + 1 + 4;
        byte[] head = Arrays.copyOf(idle, am);
        // a count of 2^63 + 2^31 (its 10th byte sets bit 63): read as signed it would be negative and pass a size check
        assertRejected(concat(head, new byte[] {1}, new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1}, new byte[] {0}),
                "malformed heartbeat: dc has 9223372039002259455 entries, more than the 1 bytes left can hold");
        // a length of 2^64 - 1 (-1 as a long)
        byte[] minusOne = new byte[10];
        Arrays.fill(minusOne, 0, 9, (byte) 0xFF);
        minusOne[9] = 1;
        assertRejected(concat(head, minusOne, new byte[] {1, 0}),
                "malformed heartbeat: am of 18446744073709551614 bytes, 2 left");
        // a count of 2^64 - 1, read as "-1 + 1 = null" if signed arithmetic slipped in
        assertRejected(concat(head, new byte[] {1}, minusOne, new byte[] {0}),
                "malformed heartbeat: dc has 18446744073709551614 entries, more than the 1 bytes left can hold");
        byte[] over64 = minusOne.clone();
        over64[9] = 2;
        assertRejected(concat(head, over64, new byte[] {1, 0}), "malformed heartbeat: varint longer than 64 bits");
        assertRejected(concat(head, new byte[] {(byte) 0x81, 0}, new byte[] {1, 0}),
                "malformed heartbeat: varint with a redundant zero byte");
    }

    @Test
    void nullEntriesAreRefusedAtTheSender() {
        Message.Heartbeat h = new Message.Heartbeat(1, 2, 3, 4, 5, 6, false, Arrays.asList("web", null), 7, 0, 0, 0,
                "", 0, 0, null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WireCodec.encode(h));
        assertEquals("cannot encode Heartbeat: a null entry in declined or checks", e.getMessage());
    }

    @Test
    void aSummaryIsNeverCutInsideASurrogatePair() throws Exception {
        String clef = "\uD834\uDD1E"; // one code point, two chars
        String summary = "x".repeat(Message.CheckReport.MAX_SUMMARY_CHARS - 1) + clef + "tail";
        String cut = Message.CheckReport.cutSummary(summary);
        assertEquals("x".repeat(Message.CheckReport.MAX_SUMMARY_CHARS - 1), cut);
        assertEquals("short", Message.CheckReport.cutSummary("short"));
        String exact = "y".repeat(Message.CheckReport.MAX_SUMMARY_CHARS - 2) + clef + "z";
        assertEquals(exact.substring(0, Message.CheckReport.MAX_SUMMARY_CHARS),
                Message.CheckReport.cutSummary(exact), "a whole pair before the cut is kept");
        Message.Heartbeat h = new Message.Heartbeat(1, 2, 3, 4, 5, 6, false, List.of(), 7, 0, 0, 0, "", 1, 0,
                List.of(new Message.CheckReport("c", false, cut + clef)));
        assertEquals(h, WireCodec.decode(WireCodec.encode(h)));
    }

    @Test
    void randomFramesNeverThrowAnythingElse() {
        Random random = new Random(20261206);
        byte[] idle = WireCodec.encode(IDLE);
        int decoded = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] frame = i % 2 == 0 ? new byte[random.nextInt(120)] : idle.clone();
            if (i % 2 == 0) {
                random.nextBytes(frame);
            } else {
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    frame[1 + random.nextInt(frame.length - 1)] = (byte) random.nextInt(256);
                }
                if (i % 3 == 0) { // the variable part as a run of continuation bytes: 10-byte varints
                    int from = 1 + 8 * 8 + 1 + random.nextInt(7);
                    for (int k = from; k < frame.length - 1 && k < from + 9; k++) {
                        frame[k] = (byte) (0x80 | random.nextInt(128));
                    }
                    frame[Math.min(frame.length - 1, from + 9)] = (byte) random.nextInt(3);
                }
            }
            if (frame.length > 0) {
                frame[0] = HeartbeatCodec.TYPE;
            }
            try {
                assertInstanceOf(Message.Heartbeat.class, WireCodec.decode(frame));
                decoded++;
            } catch (WireCodec.WireFormatException expected) {
                // the only failure allowed
            } catch (RuntimeException e) {
                fail("frame " + i + " " + Arrays.toString(frame) + " threw " + e, e);
            }
        }
        assertTrue(decoded > 0, "no mutated frame decoded: the fuzz only exercised the first check");
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static void assertRejected(byte[] frame, String message) {
        WireCodec.WireFormatException e = assertThrows(WireCodec.WireFormatException.class,
                () -> WireCodec.decode(frame));
        assertEquals(message, e.getMessage());
    }
}
