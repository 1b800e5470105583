package io.mnemo.client.internal;

import io.mnemo.client.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The obvious input checks, done before anything is sent so a mistake fails fast with the field named. The server
 * checks again (and checks what the client cannot know: the space's dimension and content limit).
 */
public final class Validation {
    /** DESIGN.md section 1: space names. */
    public static final Pattern SPACE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    /** The largest id, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 256;

    private Validation() {
    }

    /** @throws InvalidArgumentException unless {@code space} matches {@link #SPACE_NAME} */
    public static String space(String field, String space) {
        if (space == null || !SPACE_NAME.matcher(space).matches()) {
            throw new InvalidArgumentException(field, space == null ? "is missing (and no default space is configured)"
                    : "'" + space + "' is not a valid space name", SPACE_NAME.pattern());
        }
        return space;
    }

    /** @throws InvalidArgumentException unless {@code id} is 1..256 bytes of UTF-8 */
    public static String id(String field, String id) {
        if (id == null) {
            throw new InvalidArgumentException(field, "is missing", "1.." + MAX_ID_BYTES + " bytes of UTF-8");
        }
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > MAX_ID_BYTES) {
            throw new InvalidArgumentException(field, bytes + " bytes of UTF-8", "1.." + MAX_ID_BYTES + " bytes of UTF-8");
        }
        return id;
    }

    /** @throws InvalidArgumentException if any value is NaN or infinite, naming its index */
    public static float[] finite(String field, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new InvalidArgumentException(field + "[" + i + "]", "is " + values[i], "finite");
            }
        }
        return values;
    }

    /** @throws InvalidArgumentException unless {@code value} is in [0, 1] */
    public static float unit(String field, float value) {
        if (!(value >= 0f && value <= 1f)) {
            throw new InvalidArgumentException(field, "is " + value, "[0, 1]");
        }
        return value;
    }

    /** @throws InvalidArgumentException unless {@code value} is finite */
    public static float finite(String field, float value) {
        if (!Float.isFinite(value)) {
            throw new InvalidArgumentException(field, "is " + value, "finite");
        }
        return value;
    }
}
