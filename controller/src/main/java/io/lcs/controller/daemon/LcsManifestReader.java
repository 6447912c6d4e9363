package io.lcs.controller.daemon;

import io.lcs.controller.admin.AdminException;
import io.lcs.controller.admin.ManifestReader;
import io.lcs.model.api.LcsObject;
import io.lcs.model.codec.ManifestException;
import io.lcs.model.codec.Manifests;
import java.util.List;

/** Reads request bodies with the project's one manifest parser; its errors become 400s that say where. */
final class LcsManifestReader implements ManifestReader {
    @Override
    public List<LcsObject> read(String source, String text) {
        try {
            return Manifests.read(source, text);
        } catch (ManifestException e) {
            throw AdminException.invalid(e.getMessage(), e.errors().isEmpty() ? null
                    : e.errors().get(0).fieldPath());
        }
    }
}
