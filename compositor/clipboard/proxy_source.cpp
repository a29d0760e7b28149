#include "proxy_source.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <unistd.h>

#include "selection_router.hpp"

namespace spectrum {

namespace {

// A source may offer any number of types; the proxy (re-made at every focus change) carries
// the first ones only. Real applications offer a few dozen at most.
constexpr std::size_t max_proxied_types = 128;

void copy_types(wl_array& to, const wl_array& from) {
    const auto types = mime_types_of(from);
    for (const char* type : types.first(std::min(types.size(), max_proxied_types))) add_mime_type(to, type);
}

// wlroots' source struct first, so the impl callbacks can get back to the whole object.
struct ClipboardProxy {
    wlr_data_source base;
    SelectionRouter* router;
    wlr_data_source* target;
    std::string domain;
};

struct PrimaryProxy {
    wlr_primary_selection_source base;
    SelectionRouter* router;
    wlr_primary_selection_source* target;
    std::string domain;
};

// Casting from `base` back to the whole object is only defined for standard-layout types.
static_assert(std::is_standard_layout_v<ClipboardProxy> && std::is_standard_layout_v<PrimaryProxy>);

void clipboard_send(wlr_data_source* source, const char* mime_type, int32_t fd) {
    auto* self = reinterpret_cast<ClipboardProxy*>(source);
    if (!self->router->reader_in(self->domain, "clipboard")) {
        close(fd); // the reader sees an empty selection
        return;
    }
    wlr_data_source_send(self->target, mime_type, fd);
}

void clipboard_destroy(wlr_data_source* source) { delete reinterpret_cast<ClipboardProxy*>(source); }

const wlr_data_source_impl clipboard_proxy_impl = {
    .send = clipboard_send,
    .accept = nullptr,
    .destroy = clipboard_destroy,
    .dnd_drop = nullptr,
    .dnd_finish = nullptr,
    .dnd_action = nullptr,
};

void primary_send(wlr_primary_selection_source* source, const char* mime_type, int fd) {
    auto* self = reinterpret_cast<PrimaryProxy*>(source);
    if (!self->router->reader_in(self->domain, "primary selection")) {
        close(fd);
        return;
    }
    wlr_primary_selection_source_send(self->target, mime_type, fd);
}

void primary_destroy(wlr_primary_selection_source* source) {
    delete reinterpret_cast<PrimaryProxy*>(source);
}

const wlr_primary_selection_source_impl primary_proxy_impl = {
    .send = primary_send,
    .destroy = primary_destroy,
};

} // namespace

std::span<char* const> mime_types_of(const wl_array& types) {
    return {static_cast<char* const*>(types.data), types.size / sizeof(char*)};
}

void add_mime_type(wl_array& types, const char* type) {
    char* copy = strdup(type);
    if (!copy) return;
    auto** slot = static_cast<char**>(wl_array_add(&types, sizeof(char*)));
    if (slot) *slot = copy;
    else free(copy);
}

wlr_data_source* create_clipboard_proxy(SelectionRouter& router, wlr_data_source* target,
                                        std::string domain) {
    auto* proxy = new ClipboardProxy{};
    wlr_data_source_init(&proxy->base, &clipboard_proxy_impl);
    proxy->router = &router;
    proxy->target = target;
    proxy->domain = std::move(domain);
    copy_types(proxy->base.mime_types, target->mime_types);
    return &proxy->base;
}

wlr_primary_selection_source* create_primary_proxy(SelectionRouter& router,
                                                   wlr_primary_selection_source* target,
                                                   std::string domain) {
    auto* proxy = new PrimaryProxy{};
    wlr_primary_selection_source_init(&proxy->base, &primary_proxy_impl);
    proxy->router = &router;
    proxy->target = target;
    proxy->domain = std::move(domain);
    copy_types(proxy->base.mime_types, target->mime_types);
    return &proxy->base;
}

} // namespace spectrum
