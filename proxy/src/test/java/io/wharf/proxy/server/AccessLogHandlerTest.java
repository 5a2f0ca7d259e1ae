package io.wharf.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

final class AccessLogHandlerTest {
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(AccessLogHandler.LOGGER);
  private final EmbeddedChannel channel = new EmbeddedChannel(new AccessLogHandler());

  private Level configured;

  @BeforeEach
  void capture() {
    // the test logging config quiets the access log; this test is about what it writes
    configured = logger.getLevel();
    logger.setLevel(Level.INFO);
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
    logger.setLevel(configured);
    channel.finishAndReleaseAll();
  }

  @Test
  void logsOneJsonLinePerRequest() throws Exception {
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v2/a/tags/list?n=1");
    request.headers().set("User-Agent", "containerd/2.0 \"quoted\"");
    channel.writeInbound(request);

    channel.writeOutbound(new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    assertThat(lines.list).isEmpty(); // 100 Continue is not the answer
    channel.writeOutbound(new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(new byte[5])));

    JsonNode line = only();
    assertThat(line.path("method").asText()).isEqualTo("GET");
    assertThat(line.path("uri").asText()).isEqualTo("/v2/a/tags/list?n=1");
    assertThat(line.path("status").asInt()).isEqualTo(200);
    assertThat(line.path("bytes").asLong()).isEqualTo(5);
    assertThat(line.path("user_agent").asText()).isEqualTo("containerd/2.0 \"quoted\"");
    assertThat(line.path("duration_ms").isNumber()).isTrue();
    assertThat(line.path("time").asText()).endsWith("Z");
    assertThat(line.has("remote")).isTrue();
  }

  @Test
  void logsAClientThatLeftBeforeTheAnswerAs499() throws Exception {
    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v2/"));
    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

    channel.close();

    assertThat(only().path("status").asInt()).isEqualTo(AccessLogHandler.CLIENT_CLOSED);
  }

  @Test
  void matchesPipelinedResponsesToRequestsInOrder() throws Exception {
    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/first"));
    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/second"));

    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), LastHttpContent.EMPTY_LAST_CONTENT);
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND));

    List<JsonNode> all = all();
    assertThat(all).hasSize(2);
    assertThat(all.get(0).path("uri").asText()).isEqualTo("/first");
    assertThat(all.get(0).path("status").asInt()).isEqualTo(200);
    assertThat(all.get(1).path("uri").asText()).isEqualTo("/second");
    assertThat(all.get(1).path("status").asInt()).isEqualTo(404);
  }

  private JsonNode only() throws Exception {
    List<JsonNode> all = all();
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  private List<JsonNode> all() throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> out = new java.util.ArrayList<>();
    for (ILoggingEvent e : lines.list) {
      out.add(json.readTree(e.getFormattedMessage()));
    }
    return out;
  }
}
