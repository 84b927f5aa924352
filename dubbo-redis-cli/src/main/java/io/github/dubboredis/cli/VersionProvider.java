package io.github.dubboredis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine.IVersionProvider;

/**
 * What {@code --version} prints: the project version the build wrote into {@code version.properties}, so the
 * runnable jar, the thin jar and a run from {@code target/classes} all tell the same, and the Dubbo and Lettuce
 * versions it was built against (what a bug report needs).
 */
final class VersionProvider implements IVersionProvider {

    static final String RESOURCE = "version.properties";

    @Override
    public String[] getVersion() throws IOException {
        Properties built = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return new String[] {"dubbo-redis (unknown version: " + RESOURCE + " is missing from this build)"};
            }
            built.load(in);
        }
        return new String[] {
            "dubbo-redis " + built.getProperty("version"),
            "built with Dubbo " + built.getProperty("dubbo") + " and Lettuce " + built.getProperty("lettuce")
                + "; running on Java " + System.getProperty("java.version")
        };
    }
}
