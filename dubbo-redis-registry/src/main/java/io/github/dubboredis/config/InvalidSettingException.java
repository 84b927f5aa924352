package io.github.dubboredis.config;

/**
 * A registry setting that cannot be used. The message names the setting (as the user wrote it in the
 * registry address) and says what is wrong with it; it never contains a secret.
 */
public final class InvalidSettingException extends IllegalArgumentException {

    private final String setting;

    public InvalidSettingException(String setting, String problem) {
        super("Invalid Redis registry setting '" + setting + "': " + problem);
        this.setting = setting;
    }

    /** The name of the setting at fault, e.g. {@code cluster} or {@code backup}. */
    public String setting() {
        return setting;
    }
}
