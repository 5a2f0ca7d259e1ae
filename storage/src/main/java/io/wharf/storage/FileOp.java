package io.wharf.storage;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.wharf.oci.Digest;
import io.wharf.storage.layout.AtomicFiles;
import io.wharf.storage.layout.Layout;
import io.wharf.storage.layout.LinkFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One idempotent file step of a commit, recorded in the journal before it runs so that a restart
 * can run it again. Paths are relative to the layout root.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
@JsonSubTypes({
  @JsonSubTypes.Type(value = FileOp.Move.class, name = "move"),
  @JsonSubTypes.Type(value = FileOp.WriteLink.class, name = "link"),
  @JsonSubTypes.Type(value = FileOp.DeleteTree.class, name = "delete")
})
sealed interface FileOp {
  /** Runs the step; running it again after it completed changes nothing. */
  void apply(Layout layout);

  /** Renames a verified, fsynced temp file into place; a no-op once the source is gone. */
  record Move(String from, String to) implements FileOp {
    @Override
    public void apply(Layout layout) {
      Path source = layout.resolve(from);
      if (Files.exists(source)) {
        AtomicFiles.move(source, layout.resolve(to));
      }
    }
  }

  /** Writes a link file holding a digest. */
  record WriteLink(String path, String digest) implements FileOp {
    @Override
    public void apply(Layout layout) {
      LinkFile.write(layout.resolve(path), Digest.parse(digest), layout.tmpDir());
    }
  }

  /** Removes a file or folder and everything under it. */
  record DeleteTree(String path) implements FileOp {
    @Override
    public void apply(Layout layout) {
      AtomicFiles.deleteTree(layout.resolve(path));
    }
  }
}
