// What a paste makes a VM's clipboard: a compositor-owned source that offers the captured
// types and serves the captured bytes to whoever in that VM asks, without blocking.
#pragma once

#include <memory>
#include <string>

#include "clipboard_state.hpp"
#include "wlr.hpp"

namespace spectrum {

class WriterPool;

// A new source serving `capture` through `writers`; destroyed with wlr_data_source_destroy
// (the SelectionRouter does, when the VM's clipboard changes again).
wlr_data_source* create_captured_source(std::shared_ptr<const policy::Capture> capture, WriterPool& writers,
                                        std::string domain);

} // namespace spectrum
