package io.lcs.model.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.model.api.LcsObject;
import io.lcs.model.api.ObjectMeta;
import io.lcs.model.api.VirtualIP;
import io.lcs.model.net.Cidr;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example manifests shipped in {@code manifests/} read without errors and mean what they say. */
class ExampleManifestsTest {
    static Path repoFile(String relative) {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void vipsYamlReadsAsTwoDocumentationAddressVips() throws Exception {
        String text = Files.readString(repoFile("manifests/vips.yaml"), StandardCharsets.UTF_8);
        List<LcsObject> objects = Manifests.read("vips.yaml", text);
        assertEquals(List.of(
                VirtualIP.of(new ObjectMeta("web", null, null, null, Map.of("tier", "frontend")),
                        new VirtualIP.Spec("198.18.0.201/24", "eth0", List.of("a", "b"),
                                new VirtualIP.Hooks(null, "/usr/local/libexec/lcs/web-post-start", null, null))),
                VirtualIP.of(ObjectMeta.named("web6"), new VirtualIP.Spec("2001:db8::201/64", "eth0", null, null))),
                objects);
        for (LcsObject o : objects) {
            Cidr cidr = Cidr.parse(((VirtualIP) o).spec().address());
            String a = cidr.addressText();
            assertTrue(a.startsWith("198.18.") || a.startsWith("198.19.") || a.startsWith("2001:db8:"),
                    "only documentation addresses in examples: " + a);
        }
    }

    @Test
    void servicesYamlIsAServiceAndTheVipThatDependsOnItInOneGroup() throws Exception {
        String text = Files.readString(repoFile("manifests/services.yaml"), StandardCharsets.UTF_8);
        List<LcsObject> objects = Manifests.read("services.yaml", text);
        assertEquals(2, objects.size());
        io.lcs.model.api.Service.Spec service = ((io.lcs.model.api.Service) objects.get(0)).spec();
        assertEquals("haproxy.service", service.systemdUnit());
        VirtualIP.Spec vip = ((VirtualIP) objects.get(1)).spec();
        assertEquals("edge", service.group());
        assertEquals("edge", vip.group());
        assertEquals(List.of(objects.get(0).metadata().name()), vip.dependsOn());
        assertTrue(Cidr.parse(vip.address()).addressText().startsWith("198.18."));
    }

    @Test
    void checksYamlIsAHealthCheckAndAVipThatListsIt() throws Exception {
        String text = Files.readString(repoFile("manifests/checks.yaml"), StandardCharsets.UTF_8);
        List<LcsObject> objects = Manifests.read("checks.yaml", text);
        assertEquals(2, objects.size());
        io.lcs.model.config.CheckConfig check = ((io.lcs.model.api.HealthCheck) objects.get(0)).toCheckConfig();
        assertEquals(io.lcs.model.config.CheckConfig.Type.HTTP, check.type());
        assertEquals(List.of(1000, 500, 3, 2, 10000), List.of(check.intervalMillis(), check.timeoutMillis(), check.fall(),
                check.rise(), check.holdMillis()));
        VirtualIP.Spec vip = ((VirtualIP) objects.get(1)).spec();
        assertEquals(List.of("api-http"), vip.checks());
        assertEquals("keep", vip.onNoHealthyNode());
        assertTrue(Cidr.parse(vip.address()).addressText().startsWith("198.18."));
    }
}
