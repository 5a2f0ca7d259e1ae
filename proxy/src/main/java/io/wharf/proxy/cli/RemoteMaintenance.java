package io.wharf.proxy.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.proxy.admin.MaintenanceTasks;
import io.wharf.proxy.admin.TaskSummary;
import io.wharf.storage.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link MaintenanceTasks} run by the daemon, each one admin API call ({@link io.wharf.proxy.admin.AdminApi}). */
final class RemoteMaintenance implements MaintenanceTasks {
  private final AdminClient client;

  RemoteMaintenance(AdminClient client) {
    this.client = requireNonNull(client, "client");
  }

  @Override
  public TaskSummary importBundles(ImportRequest request, Progress progress) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    params.put("path", request.paths().stream().map(p -> p.toAbsolutePath().normalize().toString()).toList());
    params.put("project", List.of(request.project()));
    if (request.name() != null) {
      params.put("name", List.of(request.name()));
    }
    return client.task("import", params, progress);
  }

  @Override
  public TaskSummary export(Path output, List<String> images, Progress progress) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    params.put("output", List.of(output.toAbsolutePath().normalize().toString()));
    params.put("image", images);
    return client.task("export", params, progress);
  }

  @Override
  public List<ImageListing> images() {
    List<ImageListing> out = new ArrayList<>();
    for (JsonNode image : client.call("GET", "images", Map.of()).path("images")) {
      out.add(new ImageListing(
          image.path("image").asText(),
          image.path("size").asLong(),
          image.path("lastPull").asLong(),
          image.path("pulls").asLong(),
          image.path("pinned").asBoolean()));
    }
    return out;
  }

  @Override
  public TaskSummary gc(boolean dryRun, Progress progress) {
    return client.task("gc", Map.of("dryRun", List.of(Boolean.toString(dryRun))), progress);
  }

  @Override
  public TaskSummary fsck(boolean deep, boolean repair, Progress progress) {
    return client.task(
        "fsck", Map.of("deep", List.of(Boolean.toString(deep)), "repair", List.of(Boolean.toString(repair))), progress);
  }

  @Override
  public TaskSummary rebuildIndex(Progress progress) {
    return client.task("index/rebuild", Map.of(), progress);
  }
}
