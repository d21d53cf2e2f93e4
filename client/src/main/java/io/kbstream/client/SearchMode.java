package io.kbstream.client;

import java.util.Locale;

/** How a search ranks: by meaning, by words, or both fused (the API's {@code mode}). */
public enum SearchMode {
    HYBRID,
    VECTOR,
    KEYWORD;

    /** The wire name, e.g. {@code hybrid}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** From the wire name (any case); {@link IllegalArgumentException} names the choices. */
    public static SearchMode parse(String mode) {
        for (SearchMode m : values()) {
            if (m.wireName().equalsIgnoreCase(mode)) {
                return m;
            }
        }
        throw new IllegalArgumentException(
                "mode must be hybrid, vector or keyword, not '" + mode + "'");
    }
}
