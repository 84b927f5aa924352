package io.github.dubboredis.demo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A provider in a JVM of its own, so that it can really be killed: {@code ProviderMain <name> <registry
 * address> <port> [setting=value ...]}. Prints {@code READY <name> <port>} once exported, and stops
 * gracefully when its standard input closes (or dies with its JVM, on SIGKILL).
 */
public final class ProviderMain {

    private ProviderMain() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        String registry = args[1];
        int port = Integer.parseInt(args[2]);
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        DubboApps.Provider provider = DubboApps.startProvider(name, registry, port, settings);
        System.out.println("READY " + name + " " + port);
        System.out.flush();
        CountDownLatch stdinClosed = new CountDownLatch(1);
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for EOF
                }
            } catch (java.io.IOException ignored) {
                // treat as closed
            }
            stdinClosed.countDown();
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
        stdinClosed.await();
        provider.close();
        System.out.println("STOPPED " + name);
        System.exit(0);
    }
}
