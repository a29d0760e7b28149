// The clipboard broker: Ctrl+Shift+C reads the focused VM's selection into a host-held
// buffer; Ctrl+Shift+V makes that buffer the focused VM's selection (or asks first, or
// refuses, as the policy says); a notice says what happened. The pure half — what is held,
// what the policy allows, what a notice says — is policy::ClipboardState.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "clipboard_state.hpp"
#include "listener.hpp"
#include "pipe_io.hpp"
#include "wlr.hpp"

namespace spectrum {

class Server;
class SelectionRouter;
class NoticeOverlay;

class ClipboardBroker {
  public:
    ClipboardBroker(Server& server, SelectionRouter& router, NoticeOverlay& notice);
    ~ClipboardBroker();
    ClipboardBroker(const ClipboardBroker&) = delete;
    ClipboardBroker& operator=(const ClipboardBroker&) = delete;

    void copy();  // from the focused window's VM
    void paste(); // into the focused window's VM

    // While the confirm prompt is up it takes every key: Enter pastes, Escape cancels.
    bool prompt_open() const;
    void prompt_key(xkb_keysym_t sym);

    const policy::ClipboardState& state() const { return state_; }
    // The last notice shown (its event and text carry no clipboard data).
    const std::optional<policy::Notice>& last() const { return last_; }
    // How many notices were shown so far: tells two equal notices apart.
    std::uint64_t notices_shown() const { return notices_shown_; }
    std::size_t pastes_in_flight() const { return writers_.active(); }

  private:
    void read_next();
    void end_copy(std::optional<policy::ClipboardEvent> failure);
    void stop_reading();
    void carry_out(const policy::PasteOrder& order);
    void tell(policy::Notice notice, const std::string& accent_domain);
    void close_prompt();
    static int handle_copy_timeout(void* data);
    static int handle_prompt_timeout(void* data);
    void teardown();

    Server& server_;
    SelectionRouter& router_;
    NoticeOverlay& notice_;
    policy::ClipboardState state_;
    std::optional<policy::Notice> last_;
    std::uint64_t notices_shown_ = 0;
    WriterPool writers_;

    // The copy in progress: the source being read and the read of its current item.
    wlr_data_source* copy_source_ = nullptr;
    std::string copy_domain_;
    Listener<void> copy_source_destroy_;
    std::unique_ptr<PipeReader> reader_;
    wl_event_source* copy_timer_ = nullptr;
    wl_event_source* prompt_timer_ = nullptr;
    struct Hook {
        wl_listener listener; // first: the notify callback casts back from it
        ClipboardBroker* self;
    };
    Hook display_destroy_{};
};

} // namespace spectrum
