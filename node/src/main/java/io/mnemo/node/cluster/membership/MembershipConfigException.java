package io.mnemo.node.cluster.membership;

/** A membership setting has an invalid value; the message names the setting, the value and the rule. */
public final class MembershipConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String setting;

    MembershipConfigException(String setting, Object value, String rule) {
        super("membership setting '" + setting + "' = '" + value + "' is invalid: " + rule);
        this.setting = setting;
    }

    /** The setting's name as in {@link MembershipConfig.Builder}. */
    public String setting() {
        return setting;
    }
}
