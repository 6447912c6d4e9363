package io.lcs.model.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lcs.model.codec.LcsJson;
import java.io.IOException;

/**
 * Encodes {@link Message}s for the peer transport: heartbeats in the binary form of
 * {@link HeartbeatCodec} (the one message sent several times a second on every link), every other
 * message as compact JSON. Thread-safe. A frame that does not decode, or decodes to a message that
 * breaks a field rule of {@link WireCheck} (a null, a bad name, an epoch out of range), is reported
 * as a {@link WireFormatException}, never as another exception type: no such message reaches the core.
 */
public final class WireCodec {
    /**
     * The project's one JSON setup ({@link LcsJson}: input limits, strict fields, longs for every
     * integer so bodies compare equal whichever path they took), plus: every field of a message
     * is written, nulls included, and must be present when read.
     */
    private static final ObjectMapper MAPPER = LcsJson.json().copy()
            .setDefaultPropertyInclusion(JsonInclude.Include.ALWAYS)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    private WireCodec() {
    }

    public static final class WireFormatException extends Exception {
        public WireFormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static byte[] encode(Message message) {
        if (message instanceof Message.Heartbeat h) {
            return HeartbeatCodec.encode(h);
        }
        try {
            return MAPPER.writerFor(Message.class).writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    public static Message decode(byte[] frame) throws WireFormatException {
        if (frame.length > 0 && frame[0] == HeartbeatCodec.TYPE) {
            Message.Heartbeat h;
            try {
                h = HeartbeatCodec.decode(frame);
            } catch (RuntimeException e) { // a bug of the decoder, not the peer's: still only a bad frame
                throw new WireFormatException("malformed heartbeat: " + e, e);
            }
            WireCheck.check(h);
            return h;
        }
        Message m;
        try {
            m = MAPPER.readValue(frame, Message.class);
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int nl = why.indexOf('\n');
            throw new WireFormatException("malformed message: " + (nl > 0 ? why.substring(0, nl) : why), e);
        }
        if (m == null) {
            throw new WireFormatException("empty message", null);
        }
        if (m instanceof Message.Heartbeat) { // protocol 3's form: a peer of protocol 4 never sends it
            throw new WireFormatException("malformed message: a heartbeat in JSON (protocol 4 sends them binary)", null);
        }
        WireCheck.check(m);
        return m;
    }
}
