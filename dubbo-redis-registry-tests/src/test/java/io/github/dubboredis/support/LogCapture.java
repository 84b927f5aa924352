package io.github.dubboredis.support;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;

/** Captures everything logged (message and stack trace) while open. */
public final class LogCapture implements AutoCloseable {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    public LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    /** Every captured line, with its logger and any stack trace, as one string each. */
    public List<String> lines() {
        List<String> result = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(appender.list)) {
            String text = e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage();
            if (e.getThrowableProxy() != null) {
                text += "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy());
            }
            result.add(text);
        }
        return result;
    }

    /** Forgets what was captured so far. */
    public void clear() {
        appender.list.clear();
    }

    public long count(String containing) {
        return lines().stream().filter(l -> l.contains(containing)).count();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
