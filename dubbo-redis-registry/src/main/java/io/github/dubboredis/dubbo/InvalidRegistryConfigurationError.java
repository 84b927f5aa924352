package io.github.dubboredis.dubbo;

/**
 * A registry setting that cannot be used, found where Dubbo does not check the registry ({@code check=false},
 * or an address without a port). It is an {@link Error} on purpose: Dubbo's registry factory turns every
 * {@link Exception} into a warning in that case and runs the application without the registry, in silence and
 * for good; a typo must stop start-up instead, with a message that names the setting.
 */
public final class InvalidRegistryConfigurationError extends Error {

    private static final long serialVersionUID = 1L;

    public InvalidRegistryConfigurationError(String message, Throwable cause) {
        super(message, cause);
    }
}
