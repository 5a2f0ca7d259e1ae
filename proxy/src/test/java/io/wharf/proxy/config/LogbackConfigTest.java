package io.wharf.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** The shipped {@code logback.xml}: application log to stderr, access log alone on stdout. */
final class LogbackConfigTest {
  private final LoggerContext context = new LoggerContext();

  @BeforeEach
  void configure() throws JoranException {
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogbackConfigTest.class.getResource("/logback.xml"));
  }

  @Test
  void loadsWithoutWarnings() {
    assertThat(new StatusUtil(context).getHighestLevel(0)).isLessThan(Status.WARN);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("org.rocksdb").getLevel()).isEqualTo(Level.WARN);
  }

  @Test
  void applicationLinesGoToStderrWithTheirKeyValuePairs() {
    Logger logger = context.getLogger("io.wharf.proxy.pullthrough.TagFreshness");
    ConsoleAppender<?> stderr =
        (ConsoleAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");

    LoggingEvent event = event(logger, "serving stale tag");
    event.addKeyValuePair(new KeyValuePair("upstream", "docker.io"));

    assertThat(stderr.getTarget()).isEqualTo("System.err");
    assertThat(layout(stderr).doLayout(event))
        .matches("\\S+ INFO  TagFreshness serving stale tag upstream=\"docker.io\"\\R");
    assertThat(layout(stderr).doLayout(event(logger, "started")))
        .matches("\\S+ INFO  TagFreshness started\\R");
  }

  @Test
  void accessLinesGoAloneToStdoutAsTheMessage() {
    Logger access = context.getLogger("wharf.access");
    ConsoleAppender<?> stdout = (ConsoleAppender<?>) access.getAppender("ACCESS");

    assertThat(access.isAdditive()).isFalse();
    assertThat(stdout.getTarget()).isEqualTo("System.out");
    assertThat(layout(stdout).doLayout(event(access, "{\"status\":200}")))
        .isEqualTo("{\"status\":200}" + System.lineSeparator());
  }

  private static LoggingEvent event(Logger logger, String message) {
    return new LoggingEvent(Logger.FQCN, logger, Level.INFO, message, null, null);
  }

  @SuppressWarnings("unchecked")
  private static ch.qos.logback.core.Layout<ch.qos.logback.classic.spi.ILoggingEvent> layout(
      ConsoleAppender<?> appender) {
    return ((PatternLayoutEncoder) appender.getEncoder()).getLayout();
  }
}
