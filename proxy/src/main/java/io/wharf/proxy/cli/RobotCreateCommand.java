package io.wharf.proxy.cli;

import io.wharf.oci.OciException;
import io.wharf.proxy.auth.Action;
import io.wharf.proxy.auth.RobotAccounts;
import io.wharf.proxy.config.Durations;
import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wharf robot create NAME --grant PROJECT=pull,push ... [--expires 30d|DATE]}: makes a robot
 * account and prints its login name and secret, this once (wharf keeps only a hash of it).
 */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description = "Create a robot account; prints its login (robot$NAME) and its secret, shown this once.")
final class RobotCreateCommand extends BackendCommand {
  @Parameters(paramLabel = "NAME", description = "Lowercase letters and digits, '.', '_' or '-' between them.")
  String name;

  @Option(
      names = "--grant",
      required = true,
      paramLabel = "PROJECT=ACTIONS",
      converter = GrantConverter.class,
      description = "What it may do in a project (a local project, or an upstream's name such as dockerhub):"
          + " pull, push, delete, comma-separated, e.g. spectro-images=pull,push. Repeatable.")
  List<Grant> grants = new ArrayList<>();

  @Option(
      names = "--expires",
      paramLabel = "WHEN",
      converter = ExpiryConverter.class,
      description = "When its logins stop working: a duration from now (30d, 12h) or a date or time"
          + " (2027-01-01, 2027-01-01T12:00:00Z). Default: never.")
  @Nullable Instant expires;

  /** One {@code --grant}: a project and the actions allowed in it. */
  record Grant(String project, Set<Action> actions) {}

  @Override
  int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
    Map<String, Set<Action>> merged = new TreeMap<>();
    for (Grant grant : grants) {
      merged.computeIfAbsent(grant.project(), p -> EnumSet.noneOf(Action.class)).addAll(grant.actions());
    }
    RobotAccounts.Created created = backend.createRobot(name, merged, expires);
    out.println("login:  " + created.robot().loginName());
    out.println("secret: " + created.secret());
    out.flush();
    err.println("wharf: robot account created by " + backend.describe() + " ("
        + RobotLsCommand.grants(created.robot().grants()) + ", expires "
        + (created.robot().expiresAt() == null ? "never" : created.robot().expiresAt()) + ");"
        + " the secret is shown this once");
    err.flush();
    return 0;
  }

  /** {@code PROJECT=pull,push}. */
  static final class GrantConverter implements CommandLine.ITypeConverter<Grant> {
    @Override
    public Grant convert(String value) {
      int eq = value.indexOf('=');
      if (eq <= 0 || eq == value.length() - 1) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not PROJECT=ACTIONS (like spectro-images=pull,push)");
      }
      Set<Action> actions = EnumSet.noneOf(Action.class);
      for (String action : value.substring(eq + 1).split(",", -1)) {
        try {
          actions.add(Action.parse(action.strip()));
        } catch (OciException e) {
          throw new CommandLine.TypeConversionException(e.getMessage());
        }
      }
      return new Grant(value.substring(0, eq), actions);
    }
  }

  /** {@code 30d}, {@code 12h}, {@code 2027-01-01} (midnight UTC), {@code 2027-01-01T12:00:00Z}. */
  static final class ExpiryConverter implements CommandLine.ITypeConverter<Instant> {
    private final Clock clock;

    ExpiryConverter() {
      this(Clock.systemUTC());
    }

    ExpiryConverter(Clock clock) {
      this.clock = clock;
    }

    @Override
    public Instant convert(String value) {
      try {
        if (value.contains("T")) {
          return OffsetDateTime.parse(value).toInstant();
        }
        if (value.matches("\\d{4}-\\d{2}-\\d{2}")) {
          return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        Duration after = Durations.parse(value);
        if (after.isZero()) {
          throw new IllegalArgumentException("0 would expire at once");
        }
        return clock.instant().plus(after);
      } catch (DateTimeParseException | IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration (30d, 12h) or a date or time (2027-01-01, 2027-01-01T12:00:00Z): "
                + e.getMessage());
      }
    }
  }
}
