// [limits] and [vm.NAME.limits]: how much of the compositor one VM may use.
#include "sections.hpp"

#include <limits>

namespace spectrum::config::detail {

namespace {

auto count_reader() {
    return integer_reader(1, std::numeric_limits<std::uint32_t>::max());
}

auto byte_size_reader() {
    return [](const Value& v) { return read_positive_byte_size(v); };
}

} // namespace

std::vector<Field<Limits>> limits_fields() {
    return {
        field("clients", &Limits::clients, count_reader()),
        field("surfaces", &Limits::surfaces, count_reader()),
        field("toplevels", &Limits::toplevels, count_reader()),
        field("buffer_width", &Limits::buffer_width, count_reader()),
        field("buffer_height", &Limits::buffer_height, count_reader()),
        field("shm_bytes", &Limits::shm_bytes, byte_size_reader()),
        field("title_length", &Limits::title_length, count_reader()),
        field("clipboard_bytes", &Limits::clipboard_bytes, byte_size_reader()),
        field("damage_rects", &Limits::damage_rects, count_reader()),
        field("region_rects", &Limits::region_rects, count_reader()),
        field("shm_pools", &Limits::shm_pools, count_reader()),
        field("offers", &Limits::offers, count_reader()),
        field("mime_type_length", &Limits::mime_type_length, count_reader()),
        field("offer_bytes", &Limits::offer_bytes, byte_size_reader()),
        field("objects", &Limits::objects, count_reader()),
    };
}

} // namespace spectrum::config::detail
