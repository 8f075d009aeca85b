#pragma once
// Streams one file into blobs/<etag>.incomplete, resuming what an earlier run left there with a
// Range request, verifies it (size; SHA-256 for LFS files, whose etag is that hash), then renames
// it onto blobs/<etag>. The caller holds the blob's lock. A failed check deletes the partial file;
// a broken network keeps it for the next run to resume.
#include <filesystem>
#include <string>

#include "hub/hub_config.h"
#include "hub/hub_errors.h"
#include "hub/hub_request.h"

namespace hf::hub {

void download_blob(const HubConfig& config, const RequestContext& context, const FileMetadata& metadata,
                   const std::filesystem::path& incomplete, const std::filesystem::path& blob);

}  // namespace hf::hub
