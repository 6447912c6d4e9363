package io.lcs.harness.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's memory and CPU from /proc: {@code smaps_rollup} (Rss and Pss, kB) and
 * {@code stat} (utime, stime, cutime, cstime in clock ticks). The parsers are pure and throw
 * {@link IllegalArgumentException} naming the field and the file on malformed input.
 */
public final class ProcFiles {
    /** USER_HZ: the unit of the times in /proc/PID/stat (100 on every Linux this runs on). */
    public static final int TICKS_PER_SECOND = 100;

    private ProcFiles() {
    }

    /** Resident and proportional set size, in kB. */
    public record Memory(long rssKb, long pssKb) {
        public Memory plus(Memory o) {
            return new Memory(rssKb + o.rssKb, pssKb + o.pssKb);
        }
    }

    /** CPU times in ticks: own user/system and those of reaped children. */
    public record Cpu(long utime, long stime, long cutime, long cstime) {
        /** Own plus reaped children's, in seconds. */
        public double totalSeconds() {
            return (utime + stime + cutime + cstime) / (double) TICKS_PER_SECOND;
        }

        public Cpu plus(Cpu o) {
            return new Cpu(utime + o.utime, stime + o.stime, cutime + o.cutime, cstime + o.cstime);
        }
    }

    /** Parses the text of /proc/PID/smaps_rollup. */
    public static Memory parseSmapsRollup(String text) {
        long rss = -1;
        long pss = -1;
        for (String line : text.split("\n")) {
            if (line.startsWith("Rss:")) {
                rss = kb(line, "Rss");
            } else if (line.startsWith("Pss:")) {
                pss = kb(line, "Pss");
            }
        }
        if (rss < 0 || pss < 0) {
            throw new IllegalArgumentException("smaps_rollup: no " + (rss < 0 ? "Rss" : "Pss") + " line");
        }
        return new Memory(rss, pss);
    }

    private static long kb(String line, String field) {
        String[] w = line.substring(field.length() + 1).strip().split("\\s+");
        if (w.length != 2 || !w[1].equals("kB")) {
            throw new IllegalArgumentException("smaps_rollup: " + field + " line '" + line + "' is not 'N kB'");
        }
        try {
            return Long.parseLong(w[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("smaps_rollup: " + field + " '" + w[0] + "' is not a number", e);
        }
    }

    /**
     * Parses /proc/PID/stat. The command name (field 2) is in parentheses and may hold spaces and
     * parentheses, so fields are counted after the last ')': utime is field 14, stime 15, cutime
     * 16, cstime 17.
     */
    public static Cpu parseStat(String text) {
        int close = text.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("stat: no ')' closing the command name in '" + abbreviate(text) + "'");
        }
        String[] f = text.substring(close + 1).strip().split("\\s+");
        // f[0] is field 3 (state); field k is f[k - 3]
        if (f.length < 15) {
            throw new IllegalArgumentException("stat: only " + (f.length + 2) + " fields in '" + abbreviate(text) + "'");
        }
        try {
            return new Cpu(Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("stat: utime..cstime are not numbers in '" + abbreviate(text) + "'", e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s.strip();
    }

    /** Memory of a live process, or null if it is gone. */
    public static Memory memory(long pid) {
        String t = read(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
        return t == null ? null : parseSmapsRollup(t);
    }

    /** CPU times of a live process, or null if it is gone. */
    public static Cpu cpu(long pid) {
        String t = read(Path.of("/proc", Long.toString(pid), "stat"));
        return t == null ? null : parseStat(t);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return null;
        }
    }
}
