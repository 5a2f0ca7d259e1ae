/**
 * Air-gap bundles: {@link io.wharf.storage.bundle.BundleImporter} and {@link
 * io.wharf.storage.bundle.BundleExporter}.
 *
 * <p>Import reads, detected by content and never by file name: an OCI image layout folder, or a tar
 * of one (skopeo's {@code oci-archive:}, docker 25+ {@code docker save}), or a classic {@code docker
 * save} archive, either tar plain or compressed with zstd or gzip. A tar is read once, in order,
 * decompressed as a stream; each blob streams through an upload session into storage, which verifies
 * its digest before committing it. Blobs wait in the staging repository {@code wharf-staging/import}
 * until the import knows which images (so which repositories) they belong to, because a tar may hold
 * them before its index.json or manifest.json; at the end they are linked into each image's canonical
 * repository ({@code docker.io/library/nginx}, a port written {@code _}) and unlinked from staging.
 * Blobs storage already holds are skipped (unread when their digest is known up front), so a second
 * import adds nothing and a rerun after an interruption copies only what was not committed. Every
 * imported reference is tagged, pinned (source {@code import}) and listed in the caller's project
 * ({@link io.wharf.storage.ProjectRepos}). Names: see {@code NameRules}.
 *
 * <p>A classic docker save archive holds no registry manifest: wharf writes an OCI image manifest over
 * its config and uncompressed layers (deterministically, so reimporting gives the same digest), and
 * the import reports that the digest is new ({@link io.wharf.storage.bundle.ImportedImage#digestChanged()}).
 *
 * <p>Export writes an OCI layout as a zstd-compressed tar ({@code oci-layout}, {@code index.json},
 * then blobs), named by full references; an index keeps its bytes and digest even when some of its
 * platforms were never pulled through the cache (they are left out and reported): see {@link
 * io.wharf.storage.bundle.BundleExporter}.
 */
@NullMarked
package io.wharf.storage.bundle;

import org.jspecify.annotations.NullMarked;
