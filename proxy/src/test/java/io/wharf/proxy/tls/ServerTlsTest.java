package io.wharf.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.wharf.proxy.config.ConfigException;
import io.wharf.proxy.config.HostAndPort;
import io.wharf.proxy.config.HttpsListenerConfig;
import io.wharf.proxy.config.TlsProvider;
import io.wharf.proxy.it.fixture.TestCa;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ServerTls} behind a real Netty server on an ephemeral loopback port, dialled by the JDK's
 * TLS client: what each new connection is served, on both providers.
 */
final class ServerTlsTest {
  private static final TestCa CA = TestCa.create("wharf reload test CA");
  private static final HostAndPort ANY = HostAndPort.parse("127.0.0.1:0");

  @TempDir Path dir;
  private final AtomicLong nanos = new AtomicLong();
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private @Nullable Channel server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Serves {@code tls}: each connection gets a handler from it, and "ok" once its handshake is done. */
  private int serve(ServerTls tls) {
    server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                  ctx.writeAndFlush(Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
                }
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // a client that refused the certificate
              }
            });
          }
        })
        .bind(InetAddress.getLoopbackAddress(), 0)
        .syncUninterruptibly()
        .channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** One connection: the handshake, then what the server says; returns the leaf it presented. */
  private static X509Certificate connect(SSLContext client, int port, String... protocols) throws IOException {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5000);
      SSLParameters params = socket.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS"); // check the name, as a browser or skopeo does
      params.setApplicationProtocols(new String[] {"h2", "http/1.1"});
      if (protocols.length > 0) {
        params.setProtocols(protocols);
      }
      socket.setSSLParameters(params);
      socket.startHandshake();
      assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
      try (InputStream in = socket.getInputStream()) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("ok");
      }
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  private HttpsListenerConfig operatorConfig(TlsProvider provider) {
    return new HttpsListenerConfig(ANY, dir.resolve("tls.crt"), dir.resolve("tls.key"), List.of(), provider);
  }

  private ServerTls open(HttpsListenerConfig config) {
    return ServerTls.open(config, dir.resolve("data"), Clock.systemUTC(), nanos::get);
  }

  @ParameterizedTest
  @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
  void aReplacedOperatorCertificateIsServedToTheNextConnection(TlsProvider provider) throws Exception {
    TestCa.Leaf first = CA.issue("wharf", List.of("127.0.0.1", "localhost"), TestCa.KeyType.EC);
    first.writeChain(dir.resolve("tls.crt"));
    first.writeKey(dir.resolve("tls.key"), false);
    ServerTls tls = open(operatorConfig(provider));
    assertThat(tls.provider()).isEqualTo(provider == TlsProvider.JDK ? SslProvider.JDK : SslProvider.OPENSSL);
    int port = serve(tls);
    SSLContext client = CA.clientContext();

    assertThat(TestCa.fingerprint(connect(client, port))).isEqualTo(first.fingerprint());

    // replaced by an RSA one, as a renewal may: cert first, then key, as a careless operator would
    TestCa.Leaf second = CA.issue("wharf", List.of("127.0.0.1", "localhost"), TestCa.KeyType.RSA);
    second.writeChain(dir.resolve("tls.crt"));
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    // the new certificate with the old key: refused, the previous pair still served
    assertThat(TestCa.fingerprint(connect(client, port))).isEqualTo(first.fingerprint());
    second.writeKey(dir.resolve("tls.key"), true);
    assertThat(TestCa.fingerprint(connect(client, port)))
        .as("within a second of the last look: not looked at again yet")
        .isEqualTo(first.fingerprint());
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(TestCa.fingerprint(connect(client, port))).isEqualTo(second.fingerprint());
    assertThat(tls.certificate().fingerprint()).isEqualTo(second.fingerprint());

    // a broken file: logged, the current pair kept
    Files.writeString(dir.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\ntruncated");
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(TestCa.fingerprint(connect(client, port))).isEqualTo(second.fingerprint());
  }

  @Test
  void theSelfSignedCertificateIsTrustedAsItsOwnAuthorityForLoopbackNames() throws Exception {
    ServerTls tls = open(new HttpsListenerConfig(ANY, null, null, List.of("10.77.0.1"), TlsProvider.AUTO));
    int port = serve(tls);
    X509Certificate self = tls.certificate().leaf();

    assertThat(TestCa.fingerprint(connect(TestCa.trusting(self), port))).isEqualTo(tls.certificate().fingerprint());
    assertThat(tls.certificate().subjectAltNames()).contains("DNS:localhost", "IP:127.0.0.1", "IP:::1", "IP:10.77.0.1");
    assertThat(Files.exists(ServerTls.keptCertificateFile(dir.resolve("data")))).isTrue();
    // a client trusting something else refuses it
    assertThatThrownBy(() -> connect(CA.clientContext(), port)).isInstanceOf(SSLHandshakeException.class);
    // reopened (a restart): the same certificate
    assertThat(open(new HttpsListenerConfig(ANY, null, null, List.of("10.77.0.1"), TlsProvider.AUTO)).certificate().fingerprint())
        .isEqualTo(tls.certificate().fingerprint());
  }

  @ParameterizedTest
  @EnumSource(value = TlsProvider.class, names = {"JDK", "OPENSSL"})
  void onlyTls12And13WithForwardSecretAeadCiphers(TlsProvider provider) throws Exception {
    ServerTls tls = open(new HttpsListenerConfig(ANY, null, null, List.of(), provider));
    int port = serve(tls);
    SSLContext client = TestCa.trusting(tls.certificate().leaf());

    connect(client, port, "TLSv1.2");
    connect(client, port, "TLSv1.3");
    SSLContext legacy = TestCa.trustingAnything();
    assertThatThrownBy(() -> connect(legacy, port, "TLSv1.1")).isInstanceOf(IOException.class);
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      socket.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
      socket.startHandshake();
      assertThat(socket.getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    }
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      socket.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});
      assertThatThrownBy(socket::startHandshake).isInstanceOf(IOException.class);
    }
  }

  @Test
  void aBadOperatorPairFailsTheStartNamingTheKeyAndFile() {
    CA.issue("a", List.of("localhost"), TestCa.KeyType.EC).writeChain(dir.resolve("tls.crt"));
    CA.issue("b", List.of("localhost"), TestCa.KeyType.EC).writeKey(dir.resolve("tls.key"), false);

    assertThatThrownBy(() -> open(operatorConfig(TlsProvider.AUTO)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.https.keyFile")
        .hasMessageContaining(dir.resolve("tls.key").toString());
  }

  @Test
  void theOpensslProviderLoadsHereAndAutoPicksIt() {
    assertThat(OpenSsl.isAvailable()).as(String.valueOf(OpenSsl.unavailabilityCause())).isTrue();
    assertThat(TlsContexts.provider(TlsProvider.AUTO)).isEqualTo(SslProvider.OPENSSL);
    assertThat(TlsContexts.provider(TlsProvider.JDK)).isEqualTo(SslProvider.JDK);
    assertThat(TlsContexts.describe(SslProvider.OPENSSL)).startsWith("openssl (BoringSSL");
  }

  @Test
  void aHandlerComesFromTheCurrentContext() {
    ServerTls tls = open(new HttpsListenerConfig(ANY, null, null, List.of(), TlsProvider.JDK));
    SslHandler a = tls.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT);
    SslHandler b = tls.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT);
    assertThat(a).isNotSameAs(b);
    assertThat(a.engine().getUseClientMode()).isFalse();
    assertThat(a.engine().getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
  }
}
