package io.wharf.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.wharf.proxy.route.http.Exchange;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/** The challenge's realm: the token endpoint as the client reaches wharf, never a hostile Host. */
final class TokenRealmTest {

  @Test
  void usesTheHostHeaderAndPlainHttp() {
    assertThat(Routes.tokenRealm(exchange("node-1.lan:5050", false, new InetSocketAddress("10.0.0.2", 5050)), null))
        .isEqualTo("http://node-1.lan:5050/service/token");
    assertThat(Routes.tokenRealm(exchange("[fd00::2]:5050", false, new InetSocketAddress("10.0.0.2", 5050)), null))
        .isEqualTo("http://[fd00::2]:5050/service/token");
  }

  @Test
  void usesHttpsBehindTheTlsListener() throws Exception {
    assertThat(Routes.tokenRealm(exchange("10.0.0.2:30003", true, new InetSocketAddress("10.0.0.2", 30003)), null))
        .isEqualTo("https://10.0.0.2:30003/service/token");
  }

  @Test
  void aMissingOrHostileHostFallsBackToTheAddressConnectedTo() {
    SocketAddress local = new InetSocketAddress("10.0.0.2", 30003);
    assertThat(Routes.tokenRealm(exchange(null, false, local), null)).isEqualTo("http://10.0.0.2:30003/service/token");
    assertThat(Routes.tokenRealm(exchange("evil\",error=\"x", false, local), null)).isEqualTo("http://10.0.0.2:30003/service/token");
    assertThat(Routes.tokenRealm(exchange("a b", false, local), null)).isEqualTo("http://10.0.0.2:30003/service/token");
    assertThat(Routes.tokenRealm(exchange(null, false, new InetSocketAddress("::1", 5050)), null))
        .isEqualTo("http://[0:0:0:0:0:0:0:1]:5050/service/token");
  }

  @Test
  void carriesAMirrorClientsNsSoItsTokenIsJudgedInThatRegistrysProject() {
    SocketAddress local = new InetSocketAddress("127.0.0.1", 5050);
    assertThat(Routes.tokenRealm(exchange("127.0.0.1:5050", false, local), "ghcr.io"))
        .isEqualTo("http://127.0.0.1:5050/service/token?ns=ghcr.io");
    assertThat(Routes.tokenRealm(exchange("127.0.0.1:5050", false, local), "registry.lan:5000"))
        .isEqualTo("http://127.0.0.1:5050/service/token?ns=registry.lan:5000");
    assertThat(Routes.tokenRealm(exchange("127.0.0.1:5050", false, local), "evil\",error=\"x"))
        .as("never anything but a host into the header").isEqualTo("http://127.0.0.1:5050/service/token");
  }

  private static Exchange exchange(String host, boolean tls, SocketAddress local) {
    Capture capture = new Capture();
    EmbeddedChannel channel = new EmbeddedChannel(capture) {
      @Override
      protected SocketAddress localAddress0() {
        return local;
      }
    };
    if (tls) {
      try {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine();
        engine.setUseClientMode(false);
        channel.pipeline().addFirst(new SslHandler(engine));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v2/");
    if (host != null) {
      request.headers().set("Host", host);
    }
    return new Exchange(capture.ctx, request);
  }

  private static final class Capture extends ChannelInboundHandlerAdapter {
    ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }
  }
}
