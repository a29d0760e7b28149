// Owning handles for libarchive objects, so every path out of a function frees them.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
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

// libarchive converts names between pax headers (UTF-8) and the current locale. Under a
// UTF-8 locale for this thread, a UTF-8 name passes unchanged and any other name is stored
// as raw bytes (hdrcharset=BINARY), whatever locale the program runs in: without it, a
// program in the "C" locale could not read back a non-ASCII name. Only this thread, only
// while the archive is open.
class Utf8Locale {
  public:
    Utf8Locale() : locale_(newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{})) {
        if (locale_ != locale_t{}) previous_ = uselocale(locale_);
    }
    ~Utf8Locale() {
        if (locale_ == locale_t{}) return;
        uselocale(previous_);
        freelocale(locale_);
    }
    Utf8Locale(const Utf8Locale&) = delete;
    Utf8Locale& operator=(const Utf8Locale&) = delete;

  private:
    locale_t locale_;
    locale_t previous_{};
};

} // namespace spectrum::vmbridge::store
