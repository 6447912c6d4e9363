package io.lcs.model.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;

/**
 * Jackson's primitive deserializers, except that an <em>absent</em> record component takes the
 * primitive's default ({@code false}, {@code 0}) while an explicit {@code null} still fails under
 * {@code FAIL_ON_NULL_FOR_PRIMITIVES}. Stock Jackson treats both alike, which would make every
 * optional {@code boolean} of a record (e.g. {@code NodeIntent.spec.drain}) mandatory.
 */
final class PrimitiveDefaults<T> extends StdDeserializer<T> {
    private final JsonDeserializer<T> standard;
    private final T absent;

    private PrimitiveDefaults(Class<T> type, T absent) {
        super(type);
        @SuppressWarnings("unchecked")
        JsonDeserializer<T> found = (JsonDeserializer<T>) NumberDeserializers.find(type, type.getName());
        this.standard = found;
        this.absent = absent;
    }

    static void register(SimpleModule module) {
        add(module, boolean.class, false);
        add(module, long.class, 0L);
        add(module, int.class, 0);
        add(module, double.class, 0.0);
    }

    @SuppressWarnings("unchecked")
    private static <T> void add(SimpleModule module, Class<?> primitive, T absent) {
        Class<T> type = (Class<T>) primitive;
        module.addDeserializer(type, new PrimitiveDefaults<>(type, absent));
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        return standard.deserialize(p, ctxt);
    }

    @Override
    public T getNullValue(DeserializationContext ctxt) throws com.fasterxml.jackson.databind.JsonMappingException {
        return standard.getNullValue(ctxt);
    }

    @Override
    public Object getAbsentValue(DeserializationContext ctxt) {
        return absent;
    }

    @Override
    public Object getEmptyValue(DeserializationContext ctxt) {
        return absent;
    }

    @Override
    public LogicalType logicalType() {
        return standard.logicalType();
    }
}
