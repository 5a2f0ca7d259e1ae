package io.wharf.storage.bundle;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which references an image of a bundle is stored under. The first rule that applies wins:
 *
 * <ol>
 *   <li>the index.json annotation {@code io.containerd.image.name} (containerd, nerdctl and docker 25+
 *       write the full name there);
 *   <li>{@code org.opencontainers.image.ref.name} when it is fully qualified (has a registry host):
 *       skopeo writes whatever {@code oci-archive:x.tar:REF} said, and many tools write only a tag
 *       ({@code 1.27}), which names no repository;
 *   <li>the archive's {@code RepoTags} (docker save), every one of them;
 *   <li>the caller's {@code --name};
 *   <li>otherwise none, and the import fails saying so.
 * </ol>
 *
 * <p>Every name is Docker-normalised: {@code nginx:1.27} is {@code docker.io/library/nginx:1.27}, and
 * a name without tag or digest means {@code :latest}.
 */
final class NameRules {
  static final String CONTAINERD_NAME = "io.containerd.image.name";
  static final String OCI_REF_NAME = "org.opencontainers.image.ref.name";

  /** The references found, and which rule gave them (for the operator's notes). */
  record Names(List<Reference> references, String source) {
    Names {
      references = List.copyOf(references);
    }
  }

  private NameRules() {}

  /**
   * @param annotations the image's descriptor annotations in index.json (empty for docker save)
   * @param repoTags the archive's RepoTags for this image (empty when none)
   * @param option the caller's {@code --name}, or null
   * @return the names, or null when no rule applies
   * @throws OciException NAME_INVALID (or TAG_INVALID, DIGEST_INVALID) when the rule that applies
   *     gives a malformed name: a bad name is an error, never a reason to fall through to the next rule
   */
  static @Nullable Names resolve(Map<String, String> annotations, List<String> repoTags, @Nullable String option) {
    String containerd = annotations.get(CONTAINERD_NAME);
    if (containerd != null && !containerd.isBlank()) {
      return new Names(List.of(normalize(containerd, CONTAINERD_NAME)), "annotation " + CONTAINERD_NAME);
    }
    String refName = annotations.get(OCI_REF_NAME);
    if (refName != null && CanonicalName.isFullyQualified(refName)) {
      return new Names(List.of(normalize(refName, OCI_REF_NAME)), "annotation " + OCI_REF_NAME);
    }
    List<Reference> tagged = new ArrayList<>();
    for (String repoTag : repoTags) {
      Reference r = normalize(repoTag, "RepoTags");
      if (!tagged.contains(r)) {
        tagged.add(r);
      }
    }
    if (!tagged.isEmpty()) {
      return new Names(tagged, "RepoTags");
    }
    if (option != null && !option.isBlank()) {
      return new Names(List.of(normalize(option, "--name")), "--name");
    }
    return null;
  }

  /** Docker-normalises a name, naming where it came from when it is malformed. */
  static Reference normalize(String text, String where) {
    try {
      return Reference.parseNormalized(text.trim());
    } catch (OciException e) {
      throw new OciException(e.error(), where + " '" + text + "' is not an image reference: " + e.getMessage());
    }
  }
}
