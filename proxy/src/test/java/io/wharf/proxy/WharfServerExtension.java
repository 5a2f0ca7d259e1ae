package io.wharf.proxy;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.config.ConfigLoader;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.daemon.Daemon;
import io.wharf.proxy.registry.LocalRegistry;
import io.wharf.proxy.registry.UploadService;
import io.wharf.proxy.registry.UploadSink;
import io.wharf.proxy.registry.UploadState;
import io.wharf.proxy.it.fixture.TestCa;
import io.wharf.proxy.server.WharfServer;
import io.wharf.proxy.tls.ServerTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real wharf for a test class: the embedded default config with {@code 127.0.0.1:0} and a fresh
 * temporary data folder, the whole {@link Daemon} as {@code wharf serve} starts it (a real
 * {@link LocalRegistry} with RocksDB, a real {@link WharfServer}), started before the class's first test and removed after its last.
 *
 * <pre>
 * {@literal @}RegisterExtension static final WharfServerExtension wharf = new WharfServerExtension();
 * </pre>
 *
 * <p>The admin password is {@link TestAccess#ADMIN_PASSWORD} (as {@code auth.admin.password}; a test
 * may set another with {@code withEnv("WHARF_AUTH_ADMIN_PASSWORD", ..)}): requests that push,
 * delete, list the catalog or call the admin API send {@link TestAccess#adminBasic()}.
 *
 * <p>The generated config file pulls through nothing ({@code upstreams: []}, {@code
 * defaultUpstream: ""}), so that no test ever dials the internet by accident; a test replaces that
 * file with {@link #withYaml} and overrides single keys as the daemon's environment would ({@link
 * #withEnv}; {@code WHARF_UPSTREAMS_0_*} appends an upstream to the empty list). The listen addresses
 * (HTTP, and HTTPS with the self-signed certificate wharf generates in the data folder) and data
 * folder always stay on loopback and in the temporary folder.
 */
public final class WharfServerExtension implements BeforeAllCallback, AfterAllCallback {
  /** The generated config: no upstream, so no request can leave the machine. */
  public static final String NO_UPSTREAMS = "upstreams: []\ndefaultUpstream: \"\"\n";

  private static final String HTTPS_LISTEN = "WHARF_SERVER_HTTPS_LISTEN";

  private final Map<String, String> env = new HashMap<>();
  private String yaml = NO_UPSTREAMS;
  private Path configFile;
  private Path data;
  private WharfConfig config;
  private LocalRegistry registry;
  private Daemon daemon;
  private WharfServer server;
  private HttpClient client;

  /** Overrides one config key by its environment variable, e.g. {@code WHARF_SERVER_IDLE_TIMEOUT}. */
  public WharfServerExtension withEnv(String variable, String value) {
    env.put(variable, value);
    return this;
  }

  /**
   * The config file to load over the embedded defaults instead of {@link #NO_UPSTREAMS}; one that
   * leaves {@code upstreams} out pulls through the public registries of the defaults.
   */
  public WharfServerExtension withYaml(String configYaml) {
    this.yaml = configYaml;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    data = Files.createTempDirectory("wharf-test-");
    configFile = Files.writeString(Files.createTempFile("wharf-test-", ".yaml"), yaml);
    Map<String, String> vars = new HashMap<>(env);
    // the access layer is always on: tests log in as the admin with this password
    vars.putIfAbsent("WHARF_AUTH_ADMIN_PASSWORD", TestAccess.ADMIN_PASSWORD);
    vars.put("WHARF_SERVER_HTTP_LISTEN", "127.0.0.1:0");
    // HTTPS on loopback too (never the default 0.0.0.0:30003), unless a test turns it off with ""
    if (!"".equals(env.get(HTTPS_LISTEN))) {
      vars.put(HTTPS_LISTEN, "127.0.0.1:0");
    }
    vars.put("WHARF_STORAGE_PATH", data.toString());
    config = ConfigLoader.load(Optional.of(configFile), vars);
    daemon = Daemon.start(config, vars);
    server = daemon.server();
    registry = daemon.local();
    client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    try {
      if (daemon != null) {
        daemon.close();
      }
    } finally {
      deleteTree(data);
      if (configFile != null) {
        Files.deleteIfExists(configFile);
      }
    }
  }

  /** The bound port. */
  public int port() {
    return server.port();
  }

  /** {@code http://127.0.0.1:<port><pathAndQuery>}, the path sent exactly as written. */
  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  /** The bound HTTPS port; -1 when a test turned HTTPS off. */
  public int httpsPort() {
    return server.httpsPort();
  }

  /** {@code https://127.0.0.1:<httpsPort><pathAndQuery>}. */
  public URI httpsUri(String pathAndQuery) {
    return URI.create("https://127.0.0.1:" + httpsPort() + pathAndQuery);
  }

  /** The self-signed certificate wharf generated for its HTTPS listener (in the data folder). */
  public X509Certificate httpsCertificate() {
    try (var in = Files.newInputStream(ServerTls.keptCertificateFile(data))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException | CertificateException e) {
      throw new IllegalStateException("no self-signed certificate in " + data, e);
    }
  }

  /** An HTTP/1.1 client over TLS trusting only {@link #httpsCertificate()}, never following redirects. */
  public HttpClient httpsClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .sslContext(TestCa.trusting(httpsCertificate()))
        .build();
  }

  /** An HTTP/1.1 client that never follows redirects. */
  public HttpClient client() {
    return client;
  }

  public WharfConfig config() {
    return config;
  }

  public LocalRegistry registry() {
    return registry;
  }

  /** The data folder. */
  public Path data() {
    return data;
  }

  /**
   * Stores {@code bytes} as a blob of {@code repository} straight into the registry, for tests about
   * serving rather than about who may push; returns its digest.
   */
  public Digest storeBlob(String repository, byte[] bytes) {
    Digest digest = Digest.sha256Of(bytes);
    UploadService uploads = registry.registry().uploads();
    RepositoryName repo = RepositoryName.parse(repository);
    UploadState session = uploads.start(repo);
    UploadSink sink = uploads.open(repo, session.id(), -1);
    try {
      sink.write(ByteBuffer.wrap(bytes));
    } finally {
      sink.close();
    }
    uploads.complete(repo, session.id(), digest);
    return digest;
  }

  private static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
