package io.github.dubboredis.dubbo;

import static org.apache.dubbo.common.constants.CommonConstants.CYCLE_REPORT_KEY;
import static org.apache.dubbo.metadata.ServiceNameMapping.DEFAULT_MAPPING_GROUP;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.config.configcenter.ConfigItem;
import org.apache.dubbo.common.threadpool.manager.FrameworkExecutorRepository;
import org.apache.dubbo.common.threadpool.serial.SerializingExecutor;
import org.apache.dubbo.common.utils.JsonUtils;
import org.apache.dubbo.metadata.MappingChangedEvent;
import org.apache.dubbo.metadata.MappingListener;
import org.apache.dubbo.metadata.MetadataInfo;
import org.apache.dubbo.metadata.report.identifier.KeyTypeEnum;
import org.apache.dubbo.metadata.report.identifier.MetadataIdentifier;
import org.apache.dubbo.metadata.report.identifier.ServiceMetadataIdentifier;
import org.apache.dubbo.metadata.report.identifier.SubscriberMetadataIdentifier;
import org.apache.dubbo.metadata.report.support.AbstractMetadataReport;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.internal.metadata.ServiceAppMappings;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.StoreHandle;

/**
 * Dubbo's metadata centre on Redis, in the layout of the existing {@code dubbo-metadata-report-redis}
 * extension, so that dubbo-admin and applications on that extension share the data: the
 * interface-to-application mapping (see {@link ServiceAppMappings}), application metadata at
 * {@code <application>:<revision>}, service definitions at {@code <interface>:<version>:<group>:
 * <side>:<application>} (expiring after two days unless re-reported, with {@code cycle-report}). None of
 * these keys is under the interface-level root. Dubbo uses the registry address as metadata centre by
 * itself when this extension is present.
 */
public class RedisMetadataReport extends AbstractMetadataReport {

    /** As Dubbo's own reports keep definitions (its constant is private in Dubbo 3.2). */
    private static final long TWO_DAYS_MILLIS = 2L * 24 * 60 * 60 * 1000;

    private final StoreHandle handle;
    private final RegistryStore store;
    private final java.util.concurrent.atomic.AtomicBoolean destroyed = new java.util.concurrent.atomic.AtomicBoolean();
    private final ServiceAppMappings mappings;
    private final long definitionTtlMillis;
    private final long timeoutMillis;
    private final Executor listenerExecutor;
    private final Map<MappingListener, Consumer<Set<String>>> mappingListeners = new ConcurrentHashMap<>();

    /**
     * Connects (or shares the connection of a registry on the same Redis) first: Dubbo's base class starts
     * threads of its own, which a failed connection would otherwise leave behind.
     */
    static RedisMetadataReport open(URL url, RedisRegistrySettings settings, org.apache.dubbo.rpc.model.ApplicationModel application) {
        StoreHandle handle;
        try {
            handle = ApplicationRuntime.of(application).acquire(settings.connection(),
                    DubboSettings.dubboChecks(url) && !DubboSettings.followsUncheckedRegistry(url, application));
        } catch (RedisAccessException e) {
            throw RegistryEngines.cannotStart("Redis metadata report", settings, e);
        }
        try {
            return new RedisMetadataReport(url, settings, handle);
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    private RedisMetadataReport(URL url, RedisRegistrySettings settings, StoreHandle handle) {
        super(url);
        this.handle = handle;
        this.store = handle.store();
        this.mappings = new ServiceAppMappings(store, url.getGroup(DEFAULT_ROOT));
        this.definitionTtlMillis = url.getParameter(CYCLE_REPORT_KEY, true) ? TWO_DAYS_MILLIS : 0;
        this.timeoutMillis = settings.connection().commandTimeout().toMillis() * 2 + 1000;
        this.listenerExecutor = url.getOrDefaultFrameworkModel().getBeanFactory()
                .getBean(FrameworkExecutorRepository.class).getMappingRefreshingExecutor();
    }

    // ---- service definitions and URLs (the extension's layout) ---------------------------------

    @Override
    protected void doStoreProviderMetadata(MetadataIdentifier identifier, String serviceDefinitions) {
        await(store.setValue(identifier.getUniqueKey(KeyTypeEnum.UNIQUE_KEY), serviceDefinitions, definitionTtlMillis),
                "store provider metadata");
    }

    @Override
    protected void doStoreConsumerMetadata(MetadataIdentifier identifier, String serviceParameterString) {
        await(store.setValue(identifier.getUniqueKey(KeyTypeEnum.UNIQUE_KEY), serviceParameterString, definitionTtlMillis),
                "store consumer metadata");
    }

    @Override
    public String getServiceDefinition(MetadataIdentifier identifier) {
        return await(store.getValue(identifier.getUniqueKey(KeyTypeEnum.UNIQUE_KEY)), "read a service definition");
    }

    @Override
    protected void doSaveMetadata(ServiceMetadataIdentifier identifier, URL url) {
        await(store.setValue(identifier.getUniqueKey(KeyTypeEnum.UNIQUE_KEY), URL.encode(url.toFullString()), 0),
                "save service metadata");
    }

    @Override
    protected void doRemoveMetadata(ServiceMetadataIdentifier identifier) {
        await(store.deleteKey(identifier.getUniqueKey(KeyTypeEnum.UNIQUE_KEY)), "remove service metadata");
    }

    @Override
    protected List<String> doGetExportedURLs(ServiceMetadataIdentifier identifier) {
        String content = await(store.getValue(identifier.getUniqueKey(KeyTypeEnum.UNIQUE_KEY)), "read exported URLs");
        return content == null || content.isEmpty() ? List.of() : List.of(URL.decode(content));
    }

    @Override
    protected void doSaveSubscriberData(SubscriberMetadataIdentifier identifier, String urlListStr) {
        await(store.setValue(identifier.getUniqueKey(KeyTypeEnum.UNIQUE_KEY), urlListStr, 0), "save subscriber data");
    }

    @Override
    protected String doGetSubscribedURLs(SubscriberMetadataIdentifier identifier) {
        return await(store.getValue(identifier.getUniqueKey(KeyTypeEnum.UNIQUE_KEY)), "read subscribed URLs");
    }

    // ---- application metadata (metadata-type=remote) ------------------------------------------

    @Override
    public void publishAppMetadata(SubscriberMetadataIdentifier identifier, MetadataInfo metadataInfo) {
        await(store.setValue(identifier.getUniqueKey(KeyTypeEnum.UNIQUE_KEY), metadataInfo.getContent(), 0),
                "publish application metadata");
    }

    @Override
    public void unPublishAppMetadata(SubscriberMetadataIdentifier identifier, MetadataInfo metadataInfo) {
        await(store.deleteKey(identifier.getUniqueKey(KeyTypeEnum.UNIQUE_KEY)), "remove application metadata");
    }

    @Override
    public MetadataInfo getAppMetadata(SubscriberMetadataIdentifier identifier, Map<String, String> instanceMetadata) {
        String content = await(store.getValue(identifier.getUniqueKey(KeyTypeEnum.UNIQUE_KEY)), "read application metadata");
        return content == null ? null : JsonUtils.toJavaObject(content, MetadataInfo.class);
    }

    // ---- interface-to-application mapping ------------------------------------------------------

    /** The atomic path Dubbo tries first: add this application to the interface's mapping. */
    @Override
    public boolean registerServiceAppMapping(String serviceKey, String application, URL url) {
        await(mappings.add(serviceKey, application), "map " + serviceKey + " to " + application);
        return true;
    }

    /** Dubbo's compare-and-set path: the ticket is the content read before (null: there was none). */
    @Override
    public boolean registerServiceAppMapping(String serviceInterface, String defaultMappingGroup, String newConfigContent,
            Object ticket) {
        if (!DEFAULT_MAPPING_GROUP.equals(defaultMappingGroup) || (ticket != null && !(ticket instanceof String))) {
            return false;
        }
        return await(mappings.compareAndSet(serviceInterface, (String) ticket, newConfigContent), "map " + serviceInterface);
    }

    @Override
    public ConfigItem getConfigItem(String key, String group) {
        if (!DEFAULT_MAPPING_GROUP.equals(group)) {
            return new ConfigItem();
        }
        String content = await(mappings.content(key), "read the mapping of " + key);
        return new ConfigItem(content, content);
    }

    @Override
    public Set<String> getServiceAppMapping(String serviceKey, URL url) {
        return await(mappings.applications(serviceKey), "read the mapping of " + serviceKey);
    }

    /**
     * Listeners hear changes on Dubbo's mapping executor, never on the registry's own thread, and in
     * order (one at a time per listener), so a later mapping is never overtaken by an earlier one.
     */
    @Override
    public Set<String> getServiceAppMapping(String serviceKey, MappingListener listener, URL url) {
        Executor inOrder = new SerializingExecutor(listenerExecutor);
        Consumer<Set<String>> relay = apps -> inOrder.execute(() -> listener.onEvent(new MappingChangedEvent(serviceKey, apps)));
        mappingListeners.put(listener, relay);
        return await(mappings.listen(serviceKey, relay), "listen to the mapping of " + serviceKey);
    }

    @Override
    public void removeServiceAppMappingListener(String serviceKey, MappingListener listener) {
        Consumer<Set<String>> relay = mappingListeners.remove(listener);
        if (relay != null) {
            mappings.stopListening(serviceKey, relay);
        }
    }

    /** Idempotent: Dubbo destroys metadata reports twice when an application stops (factory, then MetadataReportInstance). */
    @Override
    public void destroy() {
        if (!destroyed.compareAndSet(false, true)) {
            return;
        }
        try {
            super.destroy();
        } finally {
            mappings.close();
            handle.close();
        }
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        return RedisCalls.await(future, timeoutMillis, what, "Redis metadata centre " + store.describe());
    }
}
