#include "captured_source.hpp"

#include <cstring>
#include <type_traits>
#include <unistd.h>

#include "pipe_io.hpp"
#include "proxy_source.hpp"

namespace spectrum {

namespace {

struct CapturedSource {
    wlr_data_source base; // first: the impl callbacks cast back from it
    std::shared_ptr<const policy::Capture> capture;
    WriterPool* writers;
    std::string domain;
};
static_assert(std::is_standard_layout_v<CapturedSource>);

void captured_send(wlr_data_source* source, const char* mime_type, int32_t fd) {
    auto* self = reinterpret_cast<CapturedSource*>(source);
    const policy::ClipItem* item = self->capture->find(mime_type);
    if (!item) {
        close(fd);
        return;
    }
    self->writers->write(fd, self->capture, item->bytes, self->domain);
}

void captured_destroy(wlr_data_source* source) {
    // Writers still in flight keep their own reference to the capture.
    delete reinterpret_cast<CapturedSource*>(source);
}

const wlr_data_source_impl captured_impl = {
    .send = captured_send,
    .accept = nullptr,
    .destroy = captured_destroy,
    .dnd_drop = nullptr,
    .dnd_finish = nullptr,
    .dnd_action = nullptr,
};

} // namespace

wlr_data_source* create_captured_source(std::shared_ptr<const policy::Capture> capture, WriterPool& writers,
                                        std::string domain) {
    auto* self = new CapturedSource{};
    wlr_data_source_init(&self->base, &captured_impl);
    for (const auto& type : capture->mime_types()) add_mime_type(self->base.mime_types, type.c_str());
    self->capture = std::move(capture);
    self->writers = &writers;
    self->domain = std::move(domain);
    return &self->base;
}

} // namespace spectrum
