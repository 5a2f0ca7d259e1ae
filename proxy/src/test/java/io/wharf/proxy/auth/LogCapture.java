package io.wharf.proxy.auth;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/** Every log event of this package at any level, as text (message, key-values, arguments, cause). */
final class LogCapture implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger("io.wharf.proxy.auth");
  private final Level configured = logger.getLevel();
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();

  LogCapture() {
    events.start();
    logger.addAppender(events);
    logger.setLevel(Level.TRACE);
  }

  List<String> lines() {
    return events.list.stream().map(LogCapture::render).toList();
  }

  private static String render(ILoggingEvent e) {
    String kv = e.getKeyValuePairs() == null ? "" : e.getKeyValuePairs().stream()
        .map(p -> p.key + "=" + p.value).collect(Collectors.joining(" "));
    String args = e.getArgumentArray() == null ? "" : Stream.of(e.getArgumentArray())
        .map(String::valueOf).collect(Collectors.joining(" "));
    String cause = e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage();
    return e.getFormattedMessage() + " " + kv + " " + args + " " + cause;
  }

  @Override
  public void close() {
    logger.detachAppender(events);
    logger.setLevel(configured);
  }
}
