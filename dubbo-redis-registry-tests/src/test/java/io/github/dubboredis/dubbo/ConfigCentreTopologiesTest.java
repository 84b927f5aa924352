package io.github.dubboredis.dubbo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.dubbo.common.config.configcenter.ConfigItem;
import org.apache.dubbo.common.config.configcenter.DynamicConfiguration;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.internal.lettuce.LettuceRuntime;
import io.github.dubboredis.support.ConfigCentres;
import io.github.dubboredis.support.ConfigCentres.Events;
import io.github.dubboredis.testkit.RedisBinary;
import io.github.dubboredis.testkit.RedisCluster;
import io.github.dubboredis.testkit.RedisSentinelSet;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;
import io.github.dubboredis.testkit.TlsMaterial;

/**
 * The configuration centre on the production forms of Redis the registry supports, with the registry's own
 * settings: a least-privilege ACL user (the registry's documented rule, nothing more; on Redis 7 with only
 * FCALL, the function library loaded), TLS, Redis Cluster (a hash tag per group: groups spread over masters)
 * and Sentinel, each through the loss of its master.
 */
class ConfigCentreTopologiesTest {

    private static final String SECRET = "Acl-Config-Secret-7f2";

    /**
     * Publishes, reads, compares-and-sets, lists, removes and hears: everything the centre does. (Each change is
     * awaited before the next: writes in a burst may be heard as their last state only, as with ZooKeeper.)
     */
    private static void exercise(DynamicConfiguration admin, DynamicConfiguration app, String group, String what) {
        Events events = new Events();
        app.addListener("topology.rule", group, events);
        assertThat(admin.publishConfig("topology.rule", group, "v1")).as(what).isTrue();
        awaitHeard(events, what, "ADDED v1");
        ConfigItem item = admin.getConfigItem("topology.rule", group);
        assertThat(admin.publishConfigCas("topology.rule", group, "v2", item.getTicket())).as(what).isTrue();
        awaitHeard(events, what, "ADDED v1", "MODIFIED v2");
        assertThat(app.getConfig("topology.rule", group)).as(what).isEqualTo("v2");
        assertThat(((RedisDynamicConfiguration) admin).getConfigKeys(group)).as(what).contains("topology.rule");
        assertThat(admin.removeConfig("topology.rule", group)).isTrue();
        awaitHeard(events, what, "ADDED v1", "MODIFIED v2", "DELETED null");
        app.removeListener("topology.rule", group, events);
    }

    private static void awaitHeard(Events events, String what, String... said) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events.said()).as(what).containsExactly(said));
    }

    @Test
    void theRegistrysAclRuleIsEnoughAndOnRedis7TheFunctionLibraryServesItWithoutEval() throws Exception {
        for (RedisBinary binary : RedisBinary.all()) {
            List<String> rules = new ArrayList<>(List.of(ProductionRedisSecurityTest.registryAcl(binary)));
            if (binary.majorVersion() >= 7) {
                rules.add(ProductionRedisSecurityTest.registryAcl(binary).replace(" +eval +evalsha", ""));
            }
            for (String rule : rules) {
                boolean functionsOnly = !rule.contains("+eval");
                try (RedisServer redis = RedisServer.builder().binary(binary).config("user config on >" + SECRET + " " + rule)
                        .build().start(); ConfigCentres centres = new ConfigCentres(); RespClient raw = redis.client()) {
                    if (functionsOnly) {
                        raw.call("FUNCTION", "LOAD", "REPLACE", LettuceRuntime.functionLibrarySource());
                    }
                    String address = "config:" + SECRET + "@" + redis.address();
                    exercise(centres.create(address, ""), centres.create(address, ""), "dubbo",
                            binary.version() + (functionsOnly ? ", functions only" : ""));
                }
            }
        }
    }

    @Test
    void overTls() {
        TlsMaterial tls = TlsMaterial.generate();
        try (RedisServer redis = RedisServer.builder().tls(tls, true).build().start(); ConfigCentres centres = new ConfigCentres()) {
            String params = "tls=true&tls.ca-file=" + tls.caPem() + "&tls.cert-file=" + tls.clientCertPem() + "&tls.key-file="
                    + tls.clientKeyPem();
            exercise(centres.create(redis.address(), params), centres.create(redis.address(), params), "dubbo", "TLS");
        }
    }

    @Test
    void onRedisClusterGroupsSpreadOverMastersAndAFailoverLosesNoRule() {
        try (RedisCluster cluster = RedisCluster.start(3, 1); ConfigCentres centres = new ConfigCentres()) {
            String params = "backup=" + cluster.otherAddresses() + "&redis-client=cluster&reconnect.period=300&resync.period=1000";
            DynamicConfiguration admin = centres.create(cluster.firstAddress(), params);
            DynamicConfiguration app = centres.create(cluster.firstAddress(), params);
            for (int g = 0; g < 6; g++) {
                exercise(admin, app, "group-" + g, "cluster, group-" + g);
                admin.publishConfig("kept.rule", "group-" + g, "rule of group-" + g);
            }
            Set<Integer> mastersWithGroups = new HashSet<>();
            int holder = -1;
            for (int i = 0; i < cluster.masters().size(); i++) {
                try (RespClient c = cluster.masters().get(i).client()) {
                    List<String> keys = c.scan("dubbo-redis:{config:*");
                    if (!keys.isEmpty()) {
                        mastersWithGroups.add(i);
                    }
                    if (keys.contains("dubbo-redis:{config:dubbo:group-0}")) {
                        holder = i;
                    }
                }
            }
            assertThat(mastersWithGroups).as("masters holding configuration groups").hasSizeGreaterThan(1);

            Events events = new Events();
            app.addListener("kept.rule", "group-0", events);
            cluster.killMasterAndAwaitFailover(holder, Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> admin.publishConfig("kept.rule", "group-0", "published after the failover"));
            await().atMost(Duration.ofSeconds(20)).until(() -> events.said().contains("MODIFIED published after the failover"));
            assertThat(events.said()).doesNotContain("DELETED null");
        }
    }

    @Test
    void onSentinelAFailoverIsFollowedAndLosesNoRule() {
        try (RedisSentinelSet sentinels = RedisSentinelSet.start("mymaster", 3); ConfigCentres centres = new ConfigCentres()) {
            String params = "backup=" + sentinels.otherSentinelAddresses()
                    + "&redis-client=sentinel&master.name=mymaster&reconnect.period=300&resync.period=1000";
            DynamicConfiguration admin = centres.create(sentinels.firstSentinelAddress(), params);
            DynamicConfiguration app = centres.create(sentinels.firstSentinelAddress(), params);
            exercise(admin, app, "dubbo", "sentinel");
            admin.publishConfig("kept.rule", "dubbo", "replicated before the failover");
            Events events = new Events();
            app.addListener("kept.rule", "dubbo", events);
            try (RespClient replica = sentinels.replica().client()) {
                await().atMost(Duration.ofSeconds(5)).until(() -> "replicated before the failover"
                        .equals(replica.call("HGET", "dubbo-redis:{config:dubbo:dubbo}", "kept.rule")));
            }

            sentinels.killMasterAndAwaitFailover(Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> admin.publishConfig("kept.rule", "dubbo", "published after the failover"));
            await().atMost(Duration.ofSeconds(20)).until(() -> events.said().contains("MODIFIED published after the failover"));
            assertThat(events.said()).containsExactly("MODIFIED published after the failover");
        }
    }
}
