package io.lcs.controller.daemon;

import io.lcs.model.config.CheckConfig;
import io.lcs.model.config.ClusterConfig;
import io.lcs.model.config.ConfigError;
import io.lcs.model.config.HookPolicy;
import io.lcs.model.config.VipConfig;
import io.lcs.reconcilers.hook.HookFileCheck;
import io.lcs.reconcilers.hook.HookRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The hooks of lcs.conf's {@code [vip]} sections (and the programs of its {@code exec} checks, which
 * run the same way) checked as the hook runner will check them before
 * each run ({@link HookFileCheck}), for {@code lcsd --check-config} and the daemon's start: each one
 * that would be refused, or does not exist, is a warning at the line that names it. Warnings, not
 * errors: the file may be fixed or installed after the check, and a VIP without its hook still runs.
 * Reads file attributes (I/O).
 */
final class ConfigHookCheck {
    private ConfigHookCheck() {
    }

    static List<ConfigError> warnings(ClusterConfig config, HookFileCheck check) {
        HookPolicy policy = HookPolicy.of(config);
        List<ConfigError> out = new ArrayList<>();
        for (VipConfig v : config.vips()) {
            for (Map.Entry<String, String> hook : v.hooks().entrySet()) {
                String where = "[" + v.sectionKind() + " " + v.name() + "] " + hook.getKey() + " = " + hook.getValue() + ": ";
                int line = v.lineOf(hook.getKey());
                HookRefusal refusal = check.check(hook.getValue(), policy);
                if (refusal != null) {
                    out.add(new ConfigError(config.file(), line, where + refusal.message() + "; it would not run"));
                } else if (!Files.exists(Path.of(hook.getValue()))) {
                    out.add(new ConfigError(config.file(), line, where + "no such file; the hook would fail"));
                }
            }
        }
        for (CheckConfig c : config.checks()) {
            if (c.type() != CheckConfig.Type.EXEC) {
                continue;
            }
            String program = c.command().get(0);
            String where = "[check " + c.name() + "] command = " + program + ": ";
            HookRefusal refusal = check.check(program, policy);
            if (refusal != null) {
                out.add(new ConfigError(config.file(), c.line(), where + refusal.message()
                        + "; it would not run and the check would fail"));
            } else if (!Files.exists(Path.of(program))) {
                out.add(new ConfigError(config.file(), c.line(), where + "no such file; the check would fail"));
            }
        }
        return out;
    }
}
