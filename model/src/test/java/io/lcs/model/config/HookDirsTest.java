package io.lcs.model.config;

import static io.lcs.model.config.Configs.BASE;
import static io.lcs.model.config.Configs.assertError;
import static io.lcs.model.config.Configs.line;
import static io.lcs.model.config.Configs.parse;
import static io.lcs.model.config.Configs.replace;
import static io.lcs.model.config.Configs.withCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code [cluster] hook_dirs} and the {@link HookPolicy} it makes with the hooks of the [vip] sections. */
class HookDirsTest {

    @Test
    void hookDirsDefaultToTheLcsAndLibexecDirectories() {
        assertEquals(List.of("/etc/lcs/hooks", "/usr/local/libexec/lcs", "/usr/libexec/lcs"), parse(BASE).hookDirs());
    }

    @Test
    void hookDirsAreACommaOrSpaceListOfNormalisedAbsoluteDirectories() {
        ClusterConfig c = parse(withCluster("hook_dirs = /opt/ha/hooks/, /srv//lcs/./bin /etc/x/../y"));
        assertEquals(List.of("/opt/ha/hooks", "/srv/lcs/bin", "/etc/y"), c.hookDirs());
    }

    @Test
    void aRelativeDirectoryTheRootOrADuplicateIsAnErrorOnItsLine() {
        assertError(withCluster("hook_dirs = hooks"), "hook_dirs = hooks", "hook_dirs: 'hooks' must be an absolute path");
        assertError(withCluster("hook_dirs = /etc/.."), "hook_dirs = /etc/..", "would allow every file as a hook");
        assertError(withCluster("hook_dirs = /a, /a/"), "hook_dirs = /a, /a/", "hook_dirs: '/a/' is listed twice");
        assertError(withCluster("hook_dirs = ,"), "hook_dirs = ,", "hook_dirs lists no directory");
    }

    @Test
    void vipSectionsRememberTheLineOfEachKey() {
        String text = replace(BASE, "interface = eth0", "interface = eth0\npre_start = /opt/x");
        VipConfig web = parse(text).vip("web").orElseThrow();
        assertEquals(line(text, "address = 198.18.0.100/24"), web.lineOf("address"));
        assertEquals(line(text, "pre_start = /opt/x"), web.lineOf("pre_start"));
        assertEquals(web.line(), web.lineOf("post_stop"), "a key not written falls back to the section line");
    }

    @Test
    void theHookPolicyAllowsHookDirsAndWhatLcsConfNamesAfterNormalising() {
        ClusterConfig c = parse(replace(withCluster("hook_dirs = /etc/lcs/hooks"), "interface = eth0",
                "interface = eth0\npost_stop = /home/ops/./legacy.sh"));
        HookPolicy policy = HookPolicy.of(c);
        assertEquals(Set.of("/home/ops/legacy.sh"), policy.configHooks());
        assertNull(policy.problem("/etc/lcs/hooks/web-up"));
        assertNull(policy.problem("/etc/lcs/hooks/sub/dir/x"));
        assertNull(policy.problem("/home/ops/legacy.sh"), "lcs.conf names it: allowed wherever it lives");
        assertNull(policy.problem("/home/ops/x/../legacy.sh"));
        assertTrue(policy.problem("/etc/lcs/hooks").contains("is not inside the allowed hook directories (/etc/lcs/hooks)"),
                "the directory itself is not a program inside it");
        assertTrue(policy.problem("/etc/lcs/hooks2/x").contains("is not inside"), "a prefix of the name is not inside");
        assertTrue(policy.problem("/etc/lcs/hooks/../../../bin/sh").contains("(/bin/sh) is not inside"));
        assertTrue(policy.problem("relative").contains("is not an absolute path"));
        assertTrue(policy.namedInConfig("/home/ops//legacy.sh"));
        assertFalse(policy.namedInConfig("/etc/lcs/hooks/web-up"));
    }

    @Test
    void normalisingIsLexical() {
        assertEquals("/", HookPolicy.normalize("/../.."));
        assertEquals("/a/c", HookPolicy.normalize("/a/./b/../c//"));
        assertTrue(HookPolicy.inside("/a/b", "/a"));
        assertFalse(HookPolicy.inside("/ab", "/a"));
        assertFalse(HookPolicy.inside("/a", "/a"));
    }
}
