package io.github.dubboredis.dubbo;

import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.config.configcenter.AbstractDynamicConfiguration;
import org.apache.dubbo.common.config.configcenter.ConfigChangeType;
import org.apache.dubbo.common.config.configcenter.ConfigChangedEvent;
import org.apache.dubbo.common.config.configcenter.ConfigItem;
import org.apache.dubbo.common.config.configcenter.ConfigurationListener;
import org.apache.dubbo.common.threadpool.manager.FrameworkExecutorRepository;
import org.apache.dubbo.common.threadpool.serial.SerializingExecutor;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.context.ConfigManager;
import org.apache.dubbo.rpc.model.ApplicationModel;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.internal.configcenter.ConfigCenter;
import io.github.dubboredis.internal.configcenter.ConfigChange;
import io.github.dubboredis.internal.configcenter.ConfigListener;
import io.github.dubboredis.internal.configcenter.StoredConfig;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.StoreHandle;
import io.github.dubboredis.text.Printable;

/**
 * Dubbo's configuration centre on Redis ({@code DynamicConfiguration}): governance rules, dynamic configurators
 * and {@code dubbo.properties}, on the Redis connections the application's registries use (see
 * {@link ConfigCenter} for the data layout and guarantees).
 *
 * <p>As Dubbo's ZooKeeper centre: {@code getConfig} returns null for a key that does not exist (and, as
 * Dubbo's base class wants, logs and returns null when Redis cannot be read); listeners hear later changes,
 * {@code ADDED}, {@code MODIFIED} and {@code DELETED} (content null), with the key and group they listened to,
 * one at a time and in order, on Dubbo's shared executor, never on a Redis thread; {@code addListener} tells
 * nothing about the current content. Compare-and-set tickets come from {@link #getConfigItem}: the SHA-1 of
 * the content, or null for a key that does not exist; a null (or empty) ticket writes only if there is none.
 */
public class RedisDynamicConfiguration extends AbstractDynamicConfiguration {

    /** What {@code ConfigCenterConfig} puts on the URL when nobody set a timeout: not a Redis command timeout. */
    static final String DUBBO_DEFAULT_TIMEOUT = "30000";

    private final StoreHandle handle;
    private final ConfigCenter centre;
    private final long timeoutMillis;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A Dubbo listener as the centre knows it: equal for the same listener, as Dubbo removes them. */
    private record Relay(ConfigurationListener target) implements ConfigListener {
        @Override
        public void onChange(ConfigChange change) {
            target.process(new ConfigChangedEvent(change.key(), change.group(), change.content(),
                    ConfigChangeType.valueOf(change.type().name())));
        }
    }

    /**
     * Connects (or takes a share of the connection of a registry on the same Redis) first, failing with one clear
     * message when Dubbo checks the centre and Redis cannot be used.
     */
    static RedisDynamicConfiguration open(URL url, ApplicationModel application) {
        RedisRegistrySettings settings = DubboSettings.parse(connectionUrl(url), "configuration centre");
        boolean automatic = isRegistryAsCentre(url, application, false);
        boolean mustConnect = DubboSettings.dubboChecks(url) && !isRegistryAsCentre(url, application, true);
        StoreHandle handle;
        try {
            handle = ApplicationRuntime.of(application).acquire(settings.connection(), mustConnect);
        } catch (RedisAccessException e) {
            throw new IllegalStateException("Redis configuration centre " + settings.connection().describe() + " cannot start: "
                    + e.getMessage() + (automatic
                            ? ". Dubbo uses a redis:// registry as its configuration centre when none is configured: set "
                            + "check=false on the registry to start without Redis, or dubbo.registry.use-as-config-center=false "
                            + "to run without a configuration centre"
                            : " (with dubbo.config-center.check=false the application starts anyway and the centre connects "
                            + "when Redis comes)"), e);
        }
        try {
            return new RedisDynamicConfiguration(url, settings, handle, application);
        } catch (IllegalArgumentException e) {
            handle.close();
            // A setting that cannot be used (the namespace): as for the registry, never a silent start without it.
            String message = e.getMessage() + " (configuration centre " + DubboSettings.safe(url) + ")";
            if (DubboSettings.dubboChecks(url)) {
                throw new IllegalStateException(message, e);
            }
            throw new InvalidRegistryConfigurationError(message, e);
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    private RedisDynamicConfiguration(URL url, RedisRegistrySettings settings, StoreHandle handle, ApplicationModel application) {
        super(url);
        this.handle = handle;
        this.timeoutMillis = settings.connection().commandTimeout().toMillis() * 2 + 1000;
        Executor serial = new SerializingExecutor(application.getFrameworkModel().getBeanFactory()
                .getBean(FrameworkExecutorRepository.class).getSharedExecutor());
        Executor delivery = task -> {
            try {
                serial.execute(task);
            } catch (RejectedExecutionException e) {
                // Dubbo is shutting down: nobody is left to tell
            }
        };
        this.centre = new ConfigCenter(handle.store(), url.getParameter("namespace", "dubbo"),
                settings.resyncPeriod().toMillis(), new DubboConfigCenterLog(settings.connection().describe()), delivery);
    }

    // ---- reading -----------------------------------------------------------------------------------------

    @Override
    protected String doGetConfig(String key, String group) {
        return await(centre.get(group(group), key), "read configuration '" + Printable.of(key) + "'");
    }

    /** The content with its ticket for {@link #publishConfigCas}; an absent key gives both null. */
    @Override
    public ConfigItem getConfigItem(String key, String group) {
        StoredConfig stored = await(centre.getWithTicket(group(group), key), "read configuration '" + Printable.of(key) + "'");
        return new ConfigItem(stored.content(), stored.ticket());
    }

    /** A property looked up through Dubbo's dynamic configuration: the key in the default group, or null. */
    @Override
    public Object getInternalProperty(String key) {
        try {
            return centre.isStoreThread() ? null : centre.get(getDefaultGroup(), key).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
            return null; // a property lookup never fails for want of the centre
        }
    }

    /** Every key of a group (not part of Dubbo's interface since 3.0; tools use it). */
    public SortedSet<String> getConfigKeys(String group) {
        return new TreeSet<>(await(centre.keys(group(group)), "list the configuration of group '" + Printable.of(group(group)) + "'")
                .keySet());
    }

    // ---- writing -----------------------------------------------------------------------------------------

    @Override
    public boolean publishConfig(String key, String group, String content) {
        return await(centre.put(group(group), key, content), "publish configuration '" + Printable.of(key) + "'");
    }

    /**
     * Writes if the key still holds what {@code ticket} (from {@link #getConfigItem}) says: true if written,
     * false if it changed meanwhile (read again and retry) or the ticket is not one of ours.
     */
    @Override
    public boolean publishConfigCas(String key, String group, String content, Object ticket) {
        if (ticket != null && !(ticket instanceof String)) {
            return false;
        }
        return await(centre.putIfUnchanged(group(group), key, content, (String) ticket),
                "publish configuration '" + Printable.of(key) + "'");
    }

    @Override
    protected boolean doRemoveConfig(String key, String group) {
        await(centre.remove(group(group), key), "remove configuration '" + Printable.of(key) + "'");
        return true;
    }

    // ---- listening ---------------------------------------------------------------------------------------

    /**
     * Starts telling the listener every later change; returns once the key's current content is known here
     * (bounded by the command timeout), so that a caller that reads the key next misses no change in between.
     */
    @Override
    public void addListener(String key, String group, ConfigurationListener listener) {
        CompletableFuture<Void> ready = centre.listen(group(group), key, new Relay(listener));
        if (!centre.isStoreThread()) {
            try {
                ready.get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // listening anyway: the first content found later is told
            }
        }
    }

    @Override
    public void removeListener(String key, String group, ConfigurationListener listener) {
        centre.stopListening(group(group), key, new Relay(listener));
    }

    // ---- closing -----------------------------------------------------------------------------------------

    /** Idempotent; gives the connection share back. */
    @Override
    protected void doClose() {
        if (closed.compareAndSet(false, true)) {
            try {
                centre.close();
            } finally {
                handle.close();
            }
        }
    }

    /** The centre underneath, for tools and tests in this code base. */
    ConfigCenter centre() {
        return centre;
    }

    private String group(String group) {
        return group == null || group.isEmpty() ? getDefaultGroup() : group;
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        if (centre.isStoreThread()) {
            throw new IllegalStateException("Cannot " + what + " from the Redis store's own thread (" + centre.describe()
                    + "): it would wait for itself");
        }
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof IllegalArgumentException bad) {
                throw bad;
            }
            throw new IllegalStateException("Failed to " + what + " on Redis configuration centre " + centre.describe() + ": "
                    + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Failed to " + what + " on Redis configuration centre " + centre.describe()
                    + ": no answer within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while trying to " + what, e);
        }
    }

    // ---- the URL Dubbo gives -------------------------------------------------------------------------------

    /**
     * The URL the connection settings are read from. Its {@code group} is the centre's default group, not a
     * registry root; and a {@code timeout} of 30000 is what {@code ConfigCenterConfig} puts there when nobody
     * set one, not a choice: read as the Redis command timeout it would give this centre connections of its own
     * instead of the registry's.
     */
    static URL connectionUrl(URL url) {
        URL u = url.removeParameter("group");
        return DUBBO_DEFAULT_TIMEOUT.equals(u.getParameter("timeout")) ? u.removeParameter("timeout") : u;
    }

    /**
     * Whether this is the centre Dubbo made from a registry by itself (id {@code config-center-<protocol>-<host>-
     * <port>}), and, with {@code uncheckedOnly}, from one with {@code check=false}: Dubbo gives such a centre
     * {@code check=true} whatever the registry says, which would stop an application that asked to start
     * without Redis; it follows its registry instead.
     */
    static boolean isRegistryAsCentre(URL url, ApplicationModel application, boolean uncheckedOnly) {
        ConfigManager configs = application.getApplicationConfigManager();
        for (RegistryConfig r : configs.getRegistries()) {
            if (r.getAddress() == null || (uncheckedOnly && !Boolean.FALSE.equals(r.isCheck()))) {
                continue;
            }
            try {
                URL registry = URL.valueOf(r.getAddress());
                String id = "config-center-" + r.getProtocol() + "-" + registry.getHost() + "-" + r.getPort();
                if (url.getHost().equals(registry.getHost()) && url.getPort() == registry.getPort()
                        && configs.getConfigCenter(id).isPresent()) {
                    return true;
                }
            } catch (RuntimeException e) {
                // an address Dubbo could not make a centre of either
            }
        }
        return false;
    }
}
