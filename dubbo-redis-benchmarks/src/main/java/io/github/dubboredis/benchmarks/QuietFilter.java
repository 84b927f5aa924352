package io.github.dubboredis.benchmarks;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops the one warning every registry instance of ours gives at start-up about the benchmark's Redis having no
 * persistence (true, on purpose): the benchmarks create hundreds of instances, each with a store of its own.
 */
public final class QuietFilter extends Filter<ILoggingEvent> {

    @Override
    public FilterReply decide(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        return message != null && message.contains("has no persistence") ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
