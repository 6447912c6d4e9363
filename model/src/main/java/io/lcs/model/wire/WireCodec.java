package io.lcs.model.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * Encodes {@link Message}s as compact JSON for the peer transport. Thread-safe. A frame that does
 * not decode is reported as a {@link WireFormatException}, never as another exception type.
 */
public final class WireCodec {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .build();

    static {
        // Frames are at most 1 MiB (transport limit); bound nesting so a hostile frame stays cheap.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxStringLength(1 << 20).build());
    }

    private WireCodec() {
    }

    public static final class WireFormatException extends Exception {
        public WireFormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static byte[] encode(Message message) {
        try {
            return MAPPER.writerFor(Message.class).writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    public static Message decode(byte[] frame) throws WireFormatException {
        try {
            Message m = MAPPER.readValue(frame, Message.class);
            if (m == null) {
                throw new WireFormatException("empty message", null);
            }
            return m;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int nl = why.indexOf('\n');
            throw new WireFormatException("malformed message: " + (nl > 0 ? why.substring(0, nl) : why), e);
        }
    }
}
