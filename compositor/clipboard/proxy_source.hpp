// The sources the seat actually holds. A VM's own selection never goes to the seat (the seat
// destroys whatever it replaces, which would cancel the VM's copy when focus moves on);
// instead the seat gets a proxy that offers the same MIME types and forwards each read to
// the VM's source, but only for a reader in the same VM (see SelectionRouter::reader_in).
#pragma once

#include <span>
#include <string>

#include "wlr.hpp"

namespace spectrum {

class SelectionRouter;

// New proxies; the seat owns them once set as its selection (wlroots frees them through
// their destroy hook). `target` must outlive the proxy: the router replaces the seat's
// selection before a target goes away.
wlr_data_source* create_clipboard_proxy(SelectionRouter& router, wlr_data_source* target,
                                        std::string domain);
wlr_primary_selection_source* create_primary_proxy(SelectionRouter& router,
                                                   wlr_primary_selection_source* target,
                                                   std::string domain);

// A source's MIME types: wlroots keeps them in a wl_array of malloc'ed char*.
std::span<char* const> mime_types_of(const wl_array& types);
// Appends a copy of `type` to such an array (wlroots frees it with the source).
void add_mime_type(wl_array& types, const char* type);

} // namespace spectrum
