package io.github.dubboredis.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.it.CallLoop;
import io.github.dubboredis.it.ChildApps;
import io.github.dubboredis.testkit.ChildJvm;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;

/**
 * Twenty providers, five of them killed with SIGKILL at once: the five are gone from every consumer
 * within one session; the fifteen others never flap (the older registry's did, when renewals drifted).
 */
class ManyProvidersKilledTest extends FaultTestSupport {

    @Test
    void fiveOfTwentyKilledAreGoneWithinOneSessionAndTheOthersNeverFlap() {
        RedisServer redis = closeLater(RedisServer.startDefault());
        String registry = registry(redis.address(), "");
        List<ChildJvm> victims = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            victims.add(closeLater(ChildApps.provider("victim-" + i, registry, FreePorts.next(), "register-mode=interface")));
        }
        Set<String> survivors = new TreeSet<>();
        for (int i = 1; i <= 15; i++) {
            provider("survivor-" + i, registry);
            survivors.add("survivor-" + i);
        }
        List<DubboApps.Consumer> consumers = new ArrayList<>();
        List<ProviderListSampler> samplers = new ArrayList<>();
        List<CallLoop> loops = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            DubboApps.Consumer c = consumer("consumer-" + i, registry);
            consumers.add(c);
            millisUntil(Duration.ofSeconds(20), () -> providersOf(c).size() == 20);
            samplers.add(closeLater(new ProviderListSampler(c, Duration.ofSeconds(60))));
            loops.add(closeLater(CallLoop.start(c.service(), 20, Duration.ofSeconds(60))));
        }

        long killedAt = System.nanoTime();
        victims.forEach(ChildJvm::kill);
        long slowest = 0;
        for (DubboApps.Consumer c : consumers) {
            millisUntil(Duration.ofMillis(SESSION * 3), () -> providersOf(c).equals(survivors));
            slowest = Math.max(slowest, (System.nanoTime() - killedAt) / 1_000_000);
        }
        long allGone = System.nanoTime();
        // Watch the survivors for two more sessions: renewals must keep every one of them in every list.
        millisUntil(Duration.ofMillis(SESSION * 3), () -> (System.nanoTime() - killedAt) / 1_000_000 > SESSION * 2);
        int failed = 0;
        List<String> failedAfterRemoval = new ArrayList<>();
        int calls = 0;
        for (int i = 0; i < consumers.size(); i++) {
            samplers.get(i).close();
            loops.get(i).close();
            assertThat(samplers.get(i).everDropped()).as("providers dropped by consumer-%d", i + 1)
                    .allMatch(name -> name.startsWith("victim-"));
            failed += loops.get(i).failures().size();
            failedAfterRemoval.addAll(loops.get(i).failuresOfCallsStartedAfter(allGone));
            calls += loops.get(i).calls();
        }
        assertThat(slowest).as("ms from SIGKILL until the last consumer dropped the last victim").isLessThanOrEqualTo(SESSION);
        // Until the registry removes them, a call can still pick dead providers (Dubbo retries twice, on other
        // providers; all three tries can land on the five dead ones). After the removal, none may fail.
        assertThat(failedAfterRemoval).as("calls started after the removal that failed").isEmpty();
        FaultReport.row("20 providers, 5 killed with SIGKILL at once; 3 consumers",
                "any registry reaps the 5 dead leases and announces it; the 15 others are renewed",
                "all 5 gone from all 3 consumers after " + slowest + " ms (session " + SESSION + " ms); survivors never dropped",
                failed, calls, "none (failed calls: every try of Dubbo's failover landed on a killed provider before its removal)");
    }
}
