package io.lcs.reconcilers.process;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoundedCaptureTest {
    @Test
    void shortOutputIsKeptWhole() {
        BoundedCapture c = new BoundedCapture(8, 8);
        c.drain(new ByteArrayInputStream("hello world".getBytes(StandardCharsets.UTF_8)));
        assertEquals("hello world", c.text());
        assertFalse(c.truncated());
    }

    @Test
    void longOutputKeepsHeadAndTailWithAMarker() {
        BoundedCapture c = new BoundedCapture(4, 4);
        c.drain(new ByteArrayInputStream("0123456789abcdefXYZW".getBytes(StandardCharsets.UTF_8)));
        assertEquals("0123\n[... 12 bytes truncated ...]\nXYZW", c.text());
        assertTrue(c.truncated());
        assertEquals(20, c.totalBytes());
    }
}
