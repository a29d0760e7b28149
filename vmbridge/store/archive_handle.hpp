// Owning handles for libarchive objects, so every path out of a function frees them.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <memory>
#include <string>

namespace spectrum::vmbridge::store {

struct ReadArchiveFree {
    void operator()(archive* handle) const { archive_read_free(handle); }
};
struct WriteArchiveFree {
    void operator()(archive* handle) const { archive_write_free(handle); }
};
struct EntryFree {
    void operator()(archive_entry* entry) const { archive_entry_free(entry); }
};

using ReadArchive = std::unique_ptr<archive, ReadArchiveFree>;
using WriteArchive = std::unique_ptr<archive, WriteArchiveFree>;
using Entry = std::unique_ptr<archive_entry, EntryFree>;

// libarchive's last error on `handle`, e.g. "Truncated tar archive".
inline std::string archive_message(archive* handle) {
    const char* message = archive_error_string(handle);
    return message != nullptr ? message : "unknown libarchive error";
}

} // namespace spectrum::vmbridge::store
