package io.lcs.controller.transport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures what the transport logs (logger {@code io.lcs.transport}) while open. */
final class TransportLog implements AutoCloseable {
    final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger jul = Logger.getLogger("io.lcs.transport");
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    TransportLog() {
        jul.addHandler(handler);
    }

    /** Lines (level and message) containing {@code fragment}. */
    long count(String fragment) {
        return records.stream().filter(r -> String.valueOf(r.getMessage()).contains(fragment)).count();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (LogRecord r : records) {
            sb.append(r.getLevel()).append(' ').append(r.getMessage()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        jul.removeHandler(handler);
    }
}
