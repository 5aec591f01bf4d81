package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class WarningLimiterTest {

    @Test
    void aRepeatedWarningIsLoggedOncePerIntervalAndThenSaysHowManyWereHeldBack() {
        Logger logger = (Logger) LoggerFactory.getLogger("warning-limiter-test");
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        AtomicLong now = new AtomicLong(0);
        WarningLimiter limiter = new WarningLimiter(logger, WarningLimiter.DEFAULT_INTERVAL_NANOS, now::get);
        for (int i = 0; i < 50; i++) { // 50 s: all inside the first minute
            limiter.warn("10.0.0.1|refused", "refused " + i);
            now.addAndGet(1_000_000_000L); // one a second, as a refused peer at full backoff
        }
        limiter.warn("10.0.0.2|refused", "another address");
        now.set(WarningLimiter.DEFAULT_INTERVAL_NANOS);
        limiter.warn("10.0.0.1|refused", "refused again");
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "refused 0 (logged at most once every 60 s)",
                "another address (logged at most once every 60 s)",
                "refused again (49 more like this since the last such line)");
        logger.detachAppender(logs);
    }
}
