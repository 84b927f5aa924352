package io.github.dubboredis.demo;

/** Greets, and says which provider answered, so that callers can see calls move between providers. */
public final class GreetingServiceImpl implements GreetingService {

    private final String provider;

    public GreetingServiceImpl(String provider) {
        this.provider = provider;
    }

    @Override
    public String greet(String name) {
        return "Hello, " + name + ", from " + provider;
    }

    /** The provider name in a greeting made by {@link #greet}. */
    public static String providerOf(String greeting) {
        int from = greeting.lastIndexOf(", from ");
        return from < 0 ? greeting : greeting.substring(from + ", from ".length());
    }
}
