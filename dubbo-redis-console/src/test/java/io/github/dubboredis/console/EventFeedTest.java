package io.github.dubboredis.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The fan-out of events to event streams: bounded per stream, never blocking the publisher. */
class EventFeedTest {

    private static List<Long> drain(EventFeed.Stream s) throws InterruptedException {
        List<Long> ids = new ArrayList<>();
        EventFeed.Sent e;
        while ((e = s.next(0)) != null && !EventFeed.isEnd(e)) {
            ids.add(e.id());
        }
        return ids;
    }

    @Test
    void aSlowStreamDropsWhatDoesNotFitAndCountsItWhileOthersGetEverything() throws Exception {
        EventFeed feed = new EventFeed(4, 3);
        EventFeed.Stream slow = feed.open(0);
        EventFeed.Stream fast = feed.open(0);
        for (int i = 0; i < 10; i++) {
            feed.publish("{}");
            if (i < 9) {
                fast.next(0);
            }
        }
        assertThat(drain(slow)).containsExactly(1L, 2L, 3L);
        assertThat(slow.newlyDropped()).isEqualTo(7);
        assertThat(slow.newlyDropped()).isZero();
        assertThat(drain(fast)).containsExactly(10L);
        assertThat(feed.counts()).containsExactly(2, 10, 7);
        slow.close();
        assertThat(feed.counts()).containsExactly(1, 10, 7);
    }

    @Test
    void atMostTheAllowedNumberOfStreamsAreOpen() {
        EventFeed feed = new EventFeed(2, 8);
        EventFeed.Stream a = feed.open(-1);
        assertThat(feed.open(-1)).isNotNull();
        assertThat(feed.open(-1)).isNull();
        a.close();
        assertThat(feed.open(-1)).isNotNull();
    }

    @Test
    void aReconnectingStreamGetsWhatItMissedAndANewOneTheLastFew() throws Exception {
        EventFeed feed = new EventFeed(4, 100);
        for (int i = 0; i < 60; i++) {
            feed.publish("{}");
        }
        assertThat(drain(feed.open(55))).containsExactly(56L, 57L, 58L, 59L, 60L);
        assertThat(drain(feed.open(-1))).hasSize(50).startsWith(11L).endsWith(60L);
    }

    @Test
    void closingEndsEveryStreamAtOnceEvenAFullOne() throws Exception {
        EventFeed feed = new EventFeed(4, 2);
        EventFeed.Stream full = feed.open(0);
        feed.publish("{}");
        feed.publish("{}");
        feed.publish("{}");
        feed.close();
        assertThat(EventFeed.isEnd(full.next(1000))).isTrue();
        assertThat(feed.open(0)).isNull();
    }
}
