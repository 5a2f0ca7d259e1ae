package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who pushed, deleted, logged in or failed to, from where: one JSON object per line in {@code
 * <data>/audit.log}, for example
 *
 * <pre>
 * {"time":"2026-11-24T10:15:30.123Z","event":"push","user":"robot$ci","address":"10.0.0.7",
 *  "repository":"spectro-images/app","reference":"v1.2","outcome":"ok"}
 * </pre>
 *
 * <p>Fields: {@code time} (ISO-8601, UTC), {@code event} ({@link Event}), {@code user} (the
 * account name as sent, empty for anonymous), {@code address} (the client's IP), and where they
 * apply {@code repository} (as the client sent it), {@code reference} (tag or digest), {@code
 * scope} (a token's granted scopes) and {@code outcome}. Never a password, secret, token or
 * {@code Authorization} header: nothing that could be one is ever passed in.
 *
 * <p>Thread-safe: each line is one {@code write()} to a file opened with {@code O_APPEND}, so lines
 * from concurrent writers (threads, or another process) never interleave. A failed write is
 * logged and does not fail the request it records: the registry keeps serving on a full disk.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The file name in the data folder: a promise to operators. */
  public static final String FILE_NAME = "audit.log";
  /** Client-chosen text (a user name that failed) is cut to this many characters. */
  private static final int MAX_FIELD = 256;

  /** What happened. */
  public enum Event {
    /** A password or secret was checked and was right (at most once per credential cache period). */
    LOGIN,
    /** A password or secret was wrong, or the attempt was refused as throttled. */
    LOGIN_FAILED,
    /** {@code /service/token} issued a token to an account. */
    TOKEN,
    /** A manifest was stored (PUT). */
    PUSH,
    /** A manifest or blob was deleted. */
    DELETE,
    /** An account, or anyone asking to write, was refused. */
    DENIED;

    /** The spelling in the file: {@code login_failed}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One line.
   *
   * @param event what happened
   * @param user the account name as the client sent it; empty for anonymous
   * @param address the client's IP address
   * @param repository the repository as the client sent it, or null
   * @param reference the tag or digest, or null
   * @param scope a token's granted scopes, space-separated, or null
   * @param outcome {@code ok}, or why not ({@code bad credentials}, {@code throttled}, {@code
   *     unauthorized}, {@code forbidden})
   */
  public record Entry(
      Event event,
      String user,
      String address,
      @Nullable String repository,
      @Nullable String reference,
      @Nullable String scope,
      String outcome) {
    public Entry {
      requireNonNull(event, "event");
      requireNonNull(user, "user");
      requireNonNull(address, "address");
      requireNonNull(outcome, "outcome");
    }

    /** An entry with no repository, reference or scope. */
    public static Entry of(Event event, String user, String address, String outcome) {
      return new Entry(event, user, address, null, null, null, outcome);
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final Clock clock;

  private AuditLog(Path file, FileChannel channel, Clock clock) {
    this.file = file;
    this.channel = channel;
    this.clock = clock;
  }

  /** {@code <dataRoot>/audit.log}. */
  public static Path file(Path dataRoot) {
    return dataRoot.resolve(FILE_NAME);
  }

  /**
   * Opens {@code <dataRoot>/audit.log} for appending, creating it (0600) if needed.
   *
   * @throws UncheckedIOException when it cannot be opened
   */
  public static AuditLog open(Path dataRoot, Clock clock) {
    Path file = file(dataRoot);
    try {
      Files.createDirectories(dataRoot);
      if (!Files.exists(file) && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        try {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException raced) {
          // another opener made it first: append to theirs
        }
      }
      FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      return new AuditLog(file, channel, requireNonNull(clock, "clock"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the audit log " + file, e);
    }
  }

  /** The file written to. */
  public Path file() {
    return file;
  }

  /** Appends one line. */
  public void record(Entry entry) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", clock.instant().toString());
    line.put("event", entry.event().wireName());
    line.put("user", cut(entry.user()));
    line.put("address", cut(entry.address()));
    putIfPresent(line, "repository", entry.repository());
    putIfPresent(line, "reference", entry.reference());
    putIfPresent(line, "scope", entry.scope());
    line.put("outcome", entry.outcome());
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(line);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an audit line is always serialisable", e);
    }
    ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 1).put(bytes).put((byte) '\n').flip();
    try {
      // one write() of the whole line: O_APPEND places it atomically at the end for every writer
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      log.atWarn().addKeyValue("file", file).addKeyValue("event", entry.event().wireName())
          .log("cannot write the audit log: " + e.getMessage());
    }
  }

  private static void putIfPresent(ObjectNode line, String field, @Nullable String value) {
    if (value != null) {
      line.put(field, cut(value));
    }
  }

  private static String cut(String value) {
    return value.length() > MAX_FIELD ? value.substring(0, MAX_FIELD) + "..." : value;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      log.atWarn().addKeyValue("file", file).log("cannot close the audit log: " + e.getMessage());
    }
  }
}
