package io.lcs.reconcilers.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drains a stream to its end, keeping at most {@code headBytes} from the start and {@code tailBytes}
 * from the end; anything between is counted and dropped. A child process writing more than that is
 * never blocked (we keep reading) and never costs more than the bound in memory.
 *
 * <p>Not thread-safe: one thread drains ({@link #drain}); another may read {@link #text()} after the
 * draining thread has finished (happens-before via the thread/future join).
 */
public final class BoundedCapture {
    private final byte[] head;
    private final byte[] tail;
    private int headLength;
    private long tailWritten;
    private long total;

    public BoundedCapture(int headBytes, int tailBytes) {
        if (headBytes < 0 || tailBytes < 0) {
            throw new IllegalArgumentException("capture bounds must be >= 0");
        }
        this.head = new byte[headBytes];
        this.tail = new byte[tailBytes];
    }

    /** Reads {@code in} until end of stream (or an I/O error, e.g. the pipe was closed). */
    public void drain(InputStream in) {
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                accept(buf, n);
            }
        } catch (IOException e) {
            // stream closed under us (process destroyed, or we gave up waiting): keep what we have
        }
    }

    void accept(byte[] buf, int n) {
        total += n;
        int off = 0;
        if (headLength < head.length) {
            int k = Math.min(n, head.length - headLength);
            System.arraycopy(buf, 0, head, headLength, k);
            headLength += k;
            off = k;
        }
        for (int i = off; i < n && tail.length > 0; i++) {
            tail[(int) (tailWritten++ % tail.length)] = buf[i];
        }
        if (tail.length == 0) {
            tailWritten += n - off;
        }
    }

    /** Total bytes seen. */
    public long totalBytes() {
        return total;
    }

    /** True if some bytes were dropped. */
    public boolean truncated() {
        return total > headLength + Math.min(tailWritten, tail.length);
    }

    /**
     * The kept text (UTF-8, malformed bytes replaced); if bytes were dropped, a marker line
     * {@code [... N bytes truncated ...]} stands where they were.
     */
    public String text() {
        StringBuilder sb = new StringBuilder(new String(head, 0, headLength, StandardCharsets.UTF_8));
        int tailKept = (int) Math.min(tailWritten, tail.length);
        long droppedBytes = total - headLength - tailKept;
        if (droppedBytes > 0) {
            sb.append("\n[... ").append(droppedBytes).append(" bytes truncated ...]\n");
        }
        if (tailKept > 0) {
            byte[] t = new byte[tailKept];
            long start = tailWritten - tailKept;
            for (int i = 0; i < tailKept; i++) {
                t[i] = tail[(int) ((start + i) % tail.length)];
            }
            sb.append(new String(t, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }
}
