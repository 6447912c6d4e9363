package io.lcs.model.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address with a prefix length, as {@code ip addr add} takes it
 * ({@code 198.18.0.10/24}, {@code 2001:db8::10/64}). Parsing never consults DNS.
 *
 * @param address the host address (not the network address: a VIP is one host on the prefix)
 * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
 */
public record Cidr(InetAddress address, int prefixLength) {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    public Cidr {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + max);
        }
    }

    /** Thrown with a message that quotes the input and says what is wrong with it. */
    public static final class InvalidCidrException extends IllegalArgumentException {
        public InvalidCidrException(String message) {
            super(message);
        }
    }

    public boolean isIpv6() {
        return address instanceof Inet6Address;
    }

    /** The address without prefix, in the canonical text form iproute2 prints. */
    public String addressText() {
        return formatAddress(address);
    }

    @Override
    public String toString() {
        return addressText() + "/" + prefixLength;
    }

    /**
     * Parses {@code ADDRESS/PREFIX}; the prefix is required.
     *
     * @throws InvalidCidrException saying what is wrong, quoting {@code text}
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidCidrException("'' is not a valid CIDR (expected ADDRESS/PREFIX, e.g. 198.18.0.10/24)");
        }
        String quoted = "'" + abbreviate(text) + "'";
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new InvalidCidrException(quoted + " is not a valid CIDR: the prefix length is missing (e.g. "
                    + abbreviate(text) + (text.contains(":") ? "/64" : "/24") + ")");
        }
        String addressPart = text.substring(0, slash);
        String prefixPart = text.substring(slash + 1);
        InetAddress address;
        try {
            address = parseAddress(addressPart);
        } catch (InvalidCidrException e) {
            throw new InvalidCidrException(quoted + " is not a valid CIDR: " + e.getMessage());
        }
        int max = address instanceof Inet4Address ? 32 : 128;
        int prefix;
        if (!prefixPart.matches("\\d{1,3}")) {
            throw new InvalidCidrException(quoted + " is not a valid CIDR: prefix length '" + abbreviate(prefixPart)
                    + "' is not a number 0.." + max);
        }
        prefix = Integer.parseInt(prefixPart);
        if (prefix > max) {
            throw new InvalidCidrException(quoted + " is not a valid CIDR: prefix length " + prefix
                    + " is greater than " + max);
        }
        return new Cidr(address, prefix);
    }

    /**
     * Parses an IPv4 or IPv6 literal without DNS. IPv6 zone ids ({@code %eth0}) are refused.
     *
     * @throws InvalidCidrException if {@code text} is not an address literal
     */
    public static InetAddress parseAddress(String text) {
        String quoted = "'" + abbreviate(text) + "'";
        int percent = text.indexOf('%');
        if (percent >= 0 && text.indexOf(':') >= 0) {
            throw new InvalidCidrException(quoted + " has an IPv6 zone ID ('" + abbreviate(text.substring(percent))
                    + "'): zone IDs are not supported; write the address without it (the interface is given"
                    + " separately)");
        }
        if (IPV4.matcher(text).matches()) {
            String[] parts = text.split("\\.");
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(parts[i]);
                if (octet > 255 || (parts[i].length() > 1 && parts[i].startsWith("0"))) {
                    throw new InvalidCidrException(quoted + " is not an IPv4 address (octet '" + parts[i] + "')");
                }
                bytes[i] = (byte) octet;
            }
            return byAddress(bytes, quoted);
        }
        if (text.indexOf(':') >= 0 && IPV6_CHARS.matcher(text).matches() && text.length() <= 45) {
            try {
                // getByName never resolves a literal that contains ':' (only IPv6 literal parsing happens)
                InetAddress parsed = InetAddress.getByName(text);
                if (parsed instanceof Inet6Address || parsed instanceof Inet4Address) {
                    if (parsed instanceof Inet4Address) {
                        // an IPv4-mapped IPv6 literal (::ffff:a.b.c.d): refuse, it is ambiguous for a VIP
                        throw new InvalidCidrException(quoted + " is an IPv4-mapped IPv6 address; write the IPv4 address");
                    }
                    return parsed;
                }
            } catch (UnknownHostException e) {
                // fall through to the error below
            }
        }
        throw new InvalidCidrException(quoted + " is not an IPv4 or IPv6 address");
    }

    /** The canonical text of an address: dotted quad, or RFC 5952 compressed lower-case IPv6. */
    public static String formatAddress(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        // longest run (>= 2) of zero groups, first one on ties (RFC 5952 4.2.3)
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] == 0) {
                int j = i;
                while (j < 8 && groups[j] == 0) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    private static InetAddress byAddress(byte[] bytes, String quoted) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new InvalidCidrException(quoted + " is not an address");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
