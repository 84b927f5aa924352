package io.github.dubboredis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.utils.UrlUtils;
import org.junit.jupiter.api.Test;

/** Every form of registry address the seed and Redis users write, and every setting's checks. */
class SettingsParserTest {

    private static RedisRegistrySettings parse(String url) {
        return parse(URL.valueOf(url));
    }

    private static RedisRegistrySettings parse(URL url) {
        return SettingsParser.parse(new RegistryAddress(url.getHost(), url.getPort(), url.getUsername(), url.getPassword(),
                url.getParameters()));
    }

    /** What Dubbo makes of {@code <dubbo:registry protocol="redis" address="..."/>}. */
    private static RedisRegistrySettings parseDubboConfig(String address, Map<String, String> extra) {
        Map<String, String> defaults = new HashMap<>(extra);
        defaults.put("protocol", "redis");
        return parse(UrlUtils.parseURL(address, defaults));
    }

    @Test
    void singleAddressGivesOneNodeAndTheDefaults() {
        RedisRegistrySettings s = parse("redis://10.20.153.10:6379");
        assertThat(s.connection().nodes()).containsExactly(new RedisNodeAddress("10.20.153.10", 6379));
        assertThat(s.connection().topology()).isEqualTo(Topology.STANDALONE);
        assertThat(s.connection().multiNodeMode()).isEqualTo(MultiNodeMode.FAILOVER);
        assertThat(s.root()).isEqualTo("/dubbo/");
        assertThat(s.session()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.connection().database()).isZero();
        assertThat(s.check()).isTrue();
    }

    @Test
    void backupParameterAddsNodesInOrder() {
        RedisRegistrySettings s = parse("redis://10.20.153.10:6379?backup=10.20.153.11:6379,10.20.153.12:6380");
        assertThat(s.connection().nodes()).extracting(RedisNodeAddress::toString)
                .containsExactly("10.20.153.10:6379", "10.20.153.11:6379", "10.20.153.12:6380");
    }

    @Test
    void addressListFromDubboConfigBecomesNodesInOrder() {
        RedisRegistrySettings s = parseDubboConfig("10.20.153.10:6379,10.20.153.11:6379,10.20.153.12:6379", Map.of());
        assertThat(s.connection().nodes()).extracting(RedisNodeAddress::toString)
                .containsExactly("10.20.153.10:6379", "10.20.153.11:6379", "10.20.153.12:6379");
    }

    @Test
    void singleAddressFromDubboConfig() {
        assertThat(parseDubboConfig("10.20.153.10:6379", Map.of()).connection().nodes())
                .containsExactly(new RedisNodeAddress("10.20.153.10", 6379));
    }

    @Test
    void missingPortMeansTheRedisDefault() {
        assertThat(parse("redis://redis.example?backup=other").connection().nodes())
                .containsExactly(new RedisNodeAddress("redis.example", 6379), new RedisNodeAddress("other", 6379));
    }

    @Test
    void groupSetsTheRootAsTheOlderRegistryDoes() {
        assertThat(parse("redis://h:1?group=test").root()).isEqualTo("/test/");
        assertThat(parse("redis://h:1?group=/abs").root()).isEqualTo("/abs/");
        assertThat(parse("redis://h:1?group=/abs/").root()).isEqualTo("/abs/");
        assertThat(parse("redis://h:1?group=dubbo").root()).isEqualTo("/dubbo/");
    }

    @Test
    void groupThatWouldBreakKeyPatternsIsRefused() {
        assertThatThrownBy(() -> parse("redis://h:1?group=a*b"))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("'group'");
    }

    @Test
    void clusterAcceptsFailoverAndReplicateAndNamesTheSettingOtherwise() {
        assertThat(parse("redis://h:1?cluster=replicate").connection().multiNodeMode()).isEqualTo(MultiNodeMode.REPLICATE);
        assertThat(parse("redis://h:1?cluster=FAILOVER").connection().multiNodeMode()).isEqualTo(MultiNodeMode.FAILOVER);
        assertThatThrownBy(() -> parse("redis://h:1?cluster=mirror"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid Redis registry setting 'cluster': unknown value 'mirror'; use failover (the default) or replicate");
    }

    @Test
    void malformedBackupAddressNamesTheSetting() {
        assertThatThrownBy(() -> parse("redis://h:6379?backup=h2:notaport"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("'backup'").hasMessageContaining("h2:notaport");
        assertThatThrownBy(() -> parse("redis://h:6379?backup=h2:70000"))
                .hasMessageContaining("'backup'").hasMessageContaining("outside 1..65535");
        assertThatThrownBy(() -> parse("redis://h:6379?backup=h:6379"))
                .hasMessageContaining("'backup'").hasMessageContaining("twice");
        // Credentials in a backup address are refused without being repeated.
        assertThatThrownBy(() -> parse("redis://h:6379?backup=app:S3cret-77@h2:6379"))
                .hasMessageContaining("'backup'").hasMessageContaining("h2:6379").hasMessageNotContaining("S3cret-77");
    }

    @Test
    void missingHostNamesTheAddress() {
        assertThatThrownBy(() -> parse("redis://0.0.0.0:6379"))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("'address'");
    }

    @Test
    void databaseAcceptsTheExistingExtensionsName() {
        assertThat(parse("redis://h:1?db.index=3").connection().database()).isEqualTo(3);
        assertThat(parse("redis://h:1?database=4").connection().database()).isEqualTo(4);
        assertThat(parse("redis://h:1?database=4&db.index=4").connection().database()).isEqualTo(4);
        assertThatThrownBy(() -> parse("redis://h:1?database=4&db.index=5")).hasMessageContaining("disagree");
        assertThatThrownBy(() -> parse("redis://h:1?db.index=x")).hasMessageContaining("'db.index'");
    }

    @Test
    void credentialsComeFromTheAddressOrParameters() {
        RedisRegistrySettings fromAddress = parse("redis://app:s3cret@h:1");
        assertThat(fromAddress.connection().username()).isEqualTo("app");
        assertThat(fromAddress.connection().password()).isEqualTo("s3cret");
        RedisRegistrySettings passwordOnly = parse("redis://h:1?password=s3cret");
        assertThat(passwordOnly.connection().username()).isNull();
        assertThat(passwordOnly.connection().password()).isEqualTo("s3cret");
        RedisRegistrySettings fromConfig = parseDubboConfig("h:1", Map.of("username", "app", "password", "s3cret"));
        assertThat(fromConfig.connection().username()).isEqualTo("app");
        assertThat(fromConfig.connection().password()).isEqualTo("s3cret");
    }

    @Test
    void thePasswordIsNeverPrinted() {
        RedisRegistrySettings s = parse("redis://app:s3cret-Pa55@h:1?tls=true&tls.verify=none"
                + "&tls.truststore-password=store-Pa55");
        assertThat(s.toString()).doesNotContain("s3cret-Pa55").doesNotContain("store-Pa55").contains("******");
        assertThat(s.connection().describe()).doesNotContain("s3cret-Pa55");
    }

    @Test
    void timeoutsAndSessionAreMilliseconds() {
        RedisRegistrySettings s = parse("redis://h:1?timeout=1500&connect.timeout=700&session=9000&reconnect.period=200");
        assertThat(s.connection().commandTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.connection().connectTimeout()).isEqualTo(Duration.ofMillis(700));
        assertThat(s.connection().reconnectPeriod()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.session()).isEqualTo(Duration.ofMillis(9000));
        assertThat(s.reapGrace()).isEqualTo(Duration.ofMillis(2250));
        assertThatThrownBy(() -> parse("redis://h:1?timeout=soon")).hasMessageContaining("'timeout'");
        assertThatThrownBy(() -> parse("redis://h:1?session=10")).hasMessageContaining("'session'").hasMessageContaining("1000");
        assertThatThrownBy(() -> parse("redis://h:1?session=-5")).hasMessageContaining("'session'");
    }

    @Test
    void redisClientUsesTheExistingExtensionsNames() {
        assertThat(parse("redis://h:1?redis-client=mono").connection().topology()).isEqualTo(Topology.STANDALONE);
        RedisRegistrySettings sentinel = parse("redis://s1:26379?backup=s2:26379&redis-client=sentinel&master.name=mymaster");
        assertThat(sentinel.connection().topology()).isEqualTo(Topology.SENTINEL);
        assertThat(sentinel.connection().masterName()).isEqualTo("mymaster");
        assertThat(sentinel.connection().nodes()).hasSize(2);
        assertThat(parse("redis://h:1?redis-client=cluster").connection().topology()).isEqualTo(Topology.REDIS_CLUSTER);
        assertThatThrownBy(() -> parse("redis://h:1?redis-client=twemproxy"))
                .hasMessageContaining("'redis-client'").hasMessageContaining("mono, sentinel, cluster");
    }

    @Test
    void sentinelWithoutMasterNameUsesTheExistingExtensionsDefault() {
        assertThat(parse("redis://s1:26379?redis-client=sentinel").connection().masterName()).isEqualTo("Sentinel-master");
    }

    @Test
    void combinationsThatCannotWorkAreRefused() {
        assertThatThrownBy(() -> parse("redis://h:1?redis-client=sentinel&cluster=replicate")).hasMessageContaining("'cluster'");
        assertThatThrownBy(() -> parse("redis://h:1?redis-client=cluster&database=2")).hasMessageContaining("'database'");
        assertThatThrownBy(() -> parse("redis://h:1?master.name=m")).hasMessageContaining("'master.name'");
        assertThatThrownBy(() -> parse("redis://h:1?username=app")).hasMessageContaining("'password'");
        assertThatThrownBy(() -> parse("redis://h:1?tls.verify=none")).hasMessageContaining("'tls'");
        assertThatThrownBy(() -> parse("redis://h:1?tls=yes")).hasMessageContaining("'tls'");
        assertThatThrownBy(() -> parse("redis://h:1?check=maybe")).hasMessageContaining("'check'");
    }

    @Test
    void checkFalseIsKept() {
        assertThat(parse("redis://h:1?check=false").check()).isFalse();
    }

    @Test
    void equalConnectionSettingsShareOneConnection() {
        ConnectionSettings a = parse("redis://h:1?group=a&session=5000").connection();
        ConnectionSettings b = parse("redis://h:1?group=b&session=9000").connection();
        ConnectionSettings c = parse("redis://h:1?database=1").connection();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(c);
        assertThat(List.of(a.describe(), c.describe())).containsExactly("redis://h:1/0", "redis://h:1/1");
    }

    @Test
    void anAddressWithoutAPortMeans6379() {
        assertThat(parse("redis://redis.example").connection().nodes()).containsExactly(new RedisNodeAddress("redis.example", 6379));
    }

    @Test
    void ipv6AddressesInBracketsWorkAsAddressAndAsBackup() {
        RedisRegistrySettings s = parse("redis://[::1]:7001?backup=[::1]:7002,[fe80::2]:7003");
        assertThat(s.connection().nodes()).containsExactly(new RedisNodeAddress("::1", 7001), new RedisNodeAddress("::1", 7002),
                new RedisNodeAddress("fe80::2", 7003));
        assertThat(s.connection().nodes().get(0)).hasToString("[::1]:7001");
        // (Dubbo's own URL parser needs the port after a bracketed IPv6 host: 'redis://[::1]' does not parse.)
        assertThatThrownBy(() -> parse("redis://[::]:6379")).hasMessageContaining("'address'");
    }

    @Test
    void everyNumberIsCheckedAgainstItsRangeAndNamesItsSetting() {
        String max = Long.toString(Long.MAX_VALUE);
        for (String setting : List.of("timeout", "connect.timeout", "connection.timeout", "reconnect.period", "session",
                "reap.grace", "resync.period", "key.max-entries", "database")) {
            assertThatThrownBy(() -> parse("redis://h:1?" + setting + "=" + max)).as(setting)
                    .isInstanceOf(InvalidSettingException.class).hasMessageContaining("'" + setting + "'")
                    .hasMessageContaining("from");
            assertThatThrownBy(() -> parse("redis://h:1?" + setting + "=99999999999999999999999")).as(setting)
                    .hasMessageContaining("'" + setting + "'");
            assertThatThrownBy(() -> parse("redis://h:1?" + setting + "=-1")).as(setting)
                    .hasMessageContaining("'" + setting + "'");
        }
        assertThat(parse("redis://h:1?resync.period=0").resyncPeriod()).isZero();
        assertThat(parse("redis://h:1?reap.grace=0").reapGrace()).isZero();
        assertThat(parse("redis://h:1?key.max-entries=5").maxEntriesPerKey()).isEqualTo(5);
        assertThat(parse("redis://h:1").maxEntriesPerKey()).isEqualTo(100_000);
    }

    @Test
    void aHugeSessionStillGivesLeasesThatExpireInTheFuture() {
        RedisRegistrySettings s = parse("redis://h:1?session=86400000");
        io.github.dubboredis.internal.model.LeaseTimings t = new io.github.dubboredis.internal.model.LeaseTimings(
                s.session(), s.reapGrace(), s.resyncPeriod(), s.connection().reconnectPeriod());
        assertThat(t.leaseTtl()).isPositive();
        assertThat(t.renewPeriod()).isPositive();
    }
}
