package io.github.dubboredis.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.Headers;

/** Which requests the console answers, and which actions it runs. */
class RequestGuardTest {

    @Test
    void onLoopbackOnlyLoopbackNamesAndAllowedNamesOnThisPortAreServed() {
        RequestGuard guard = new RequestGuard("127.0.0.1", 8080, List.of("ops.example"), null);
        assertThat(guard.hostAllowed("127.0.0.1:8080")).isTrue();
        assertThat(guard.hostAllowed("LOCALHOST:8080")).isTrue();
        assertThat(guard.hostAllowed("[::1]:8080")).isTrue();
        assertThat(guard.hostAllowed("ops.example:8080")).isTrue();
        assertThat(guard.hostAllowed("evil.example:8080")).isFalse();
        assertThat(guard.hostAllowed("127.0.0.1:8081")).isFalse();
        assertThat(guard.hostAllowed("127.0.0.1")).isFalse();
        assertThat(guard.hostAllowed("10.0.0.1:8080")).isFalse();
        assertThat(guard.hostAllowed(null)).isFalse();
        assertThat(guard.hostAllowed("127.0.0.1:8080:1")).isFalse();
        assertThat(guard.hostAllowed("127.0.0.1:x")).isFalse();
    }

    @Test
    void onAWildcardAddressAnyIpLiteralButNoUnknownNameIsServed() {
        RequestGuard guard = new RequestGuard("0.0.0.0", 80, List.of(), null);
        assertThat(guard.hostAllowed("10.1.2.3")).isTrue();
        assertThat(guard.hostAllowed("10.1.2.3:80")).isTrue();
        assertThat(guard.hostAllowed("[fe80::1]:80")).isTrue();
        assertThat(guard.hostAllowed("rebound.evil.example")).isFalse();
    }

    @Test
    void actionsNeedWritesOnAPostTheTokenAndNoOtherSite() {
        Headers ok = new Headers();
        ok.add("Host", "127.0.0.1:8080");
        ok.add(RequestGuard.TOKEN_HEADER, "secret-token");
        ok.add("Origin", "http://127.0.0.1:8080");
        ok.add("Sec-Fetch-Site", "same-origin");
        assertThat(new RequestGuard("127.0.0.1", 8080, List.of(), null).refuseAction("POST", ok)).contains("read-only");
        RequestGuard guard = new RequestGuard("127.0.0.1", 8080, List.of(), "secret-token");
        assertThat(guard.refuseAction("POST", ok)).isNull();
        assertThat(guard.refuseAction("GET", ok)).contains("POST");

        Headers crossSite = new Headers();
        crossSite.putAll(ok);
        crossSite.set("Sec-Fetch-Site", "same-site");
        assertThat(guard.refuseAction("POST", crossSite)).contains("cross-site");
        Headers otherOrigin = new Headers();
        otherOrigin.putAll(ok);
        otherOrigin.set("Origin", "http://127.0.0.1:9999");
        assertThat(guard.refuseAction("POST", otherOrigin)).contains("another origin");
        Headers noToken = new Headers();
        noToken.putAll(ok);
        noToken.remove(RequestGuard.TOKEN_HEADER);
        assertThat(guard.refuseAction("POST", noToken)).contains("token");
    }
}
