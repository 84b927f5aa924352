package io.github.dubboredis.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.NotifyListener;

/** A NotifyListener that records every notification and keeps the latest list per category (and service). */
public final class Notifications implements NotifyListener {

    private final List<List<URL>> all = new CopyOnWriteArrayList<>();
    private final Map<String, List<URL>> latest = new LinkedHashMap<>();

    @Override
    public synchronized void notify(List<URL> urls) {
        all.add(List.copyOf(urls));
        for (URL u : urls) {
            latest.put(keyOf(u), new ArrayList<>());
        }
        for (URL u : urls) {
            if (!"empty".equals(u.getProtocol())) {
                latest.get(keyOf(u)).add(u);
            }
        }
    }

    private static String keyOf(URL u) {
        return u.getServiceInterface() + "/" + u.getCategory("providers");
    }

    /** The URLs last notified for a service's category (empty after an empty:// notification). */
    public synchronized List<URL> current(String service, String category) {
        return List.copyOf(latest.getOrDefault(service + "/" + category, List.of()));
    }

    /** Whether the category was ever notified (an empty:// counts). */
    public synchronized boolean heard(String service, String category) {
        return latest.containsKey(service + "/" + category);
    }

    public List<List<URL>> all() {
        return List.copyOf(all);
    }

    public int count() {
        return all.size();
    }
}
