package io.wharf.proxy.cli;

import static java.util.Objects.requireNonNull;

import io.wharf.proxy.admin.MaintenanceTasks;
import io.wharf.proxy.admin.TaskSummary;
import io.wharf.storage.Progress;
import java.util.List;
import java.util.Map;

/** The running daemon, through its admin API. */
final class RemoteBackend implements Backend {
  private final AdminClient client;

  RemoteBackend(AdminClient client) {
    this.client = requireNonNull(client, "client");
  }

  @Override
  public String describe() {
    return "the running daemon at " + client.base();
  }

  @Override
  public String pin(String image) {
    return client.pin(image).path("digest").asText();
  }

  @Override
  public boolean unpin(String image) {
    return client.unpin(image);
  }

  @Override
  public TaskSummary prefetch(List<String> images, Progress progress) {
    return client.task("prefetch", Map.of("image", images), progress);
  }

  @Override
  public MaintenanceTasks maintenance() {
    return new RemoteMaintenance(client);
  }
}
